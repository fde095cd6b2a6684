/**
 * Tile layouts as one concept: every pyramid format the accelerator serves
 * and accelerates, as a geometry (pyramid.ts) plus a path mapping (layout.ts).
 */
import type { Layout } from './layout.ts';
import type { LayoutName, Pyramid, TileAddress } from './pyramid.ts';
import { IIIF_LAYOUT } from './iiif.ts';
import { DZI_LAYOUT, OWN_LAYOUT, XYZ_LAYOUT, ZXY_LAYOUT } from './template.ts';
import { ZOOMIFY_LAYOUT } from './zoomify.ts';

export type { Layout } from './layout.ts';
export * from './pyramid.ts';
export { parseDescriptor, descriptorError, type Descriptor, type DescriptorKind } from './descriptor.ts';
export { IIIF_TILE_PATH } from './iiif.ts';
export { findPyramid, noPyramid, versionFromEtag, type FoundPyramid, type ObjectReader, type StoredObject } from './discover.ts';
export { descriptorCandidates, tileRootOf, pngSize, type DescriptorCandidate } from './tile-root.ts';

const LAYOUTS: Record<LayoutName, Layout> = {
  dzi: DZI_LAYOUT,
  iiif: IIIF_LAYOUT,
  zoomify: ZOOMIFY_LAYOUT,
  xyz: XYZ_LAYOUT,
  zxy: ZXY_LAYOUT,
  own: OWN_LAYOUT,
};

export const LAYOUT_NAMES = Object.keys(LAYOUTS) as LayoutName[];

export function layoutOf(name: LayoutName): Layout {
  return LAYOUTS[name];
}

/** The object key (or URL path) of tile `t` of a pyramid whose tiles live below `root` (ending in `/`, or empty). */
export function tileObjectKey(root: string, p: Pyramid, t: TileAddress): string {
  return `${root}${layoutOf(p.layout).tilePath(p, t)}`;
}

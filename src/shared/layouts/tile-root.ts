/**
 * Where a named pyramid's descriptor may be, and where its tiles then live
 * (the tile root), for an object store or folder holding many pyramids:
 *
 *   descriptor                      tile root
 *   NAME/info.json (own or IIIF)    NAME/
 *   NAME.dzi, NAME.xml (DZI)        NAME_files/     (OpenSeadragon's rule: extension -> `_files/`)
 *   NAME/ImageProperties.xml        NAME/
 *   NAME/vips-properties.xml        NAME/           (with NAME/blank.png: vips --layout google)
 *
 * Candidates are probed in this order; the first that exists wins, so a
 * folder with its own info.json (the project's datasets) costs one read.
 */
import type { DescriptorKind } from './descriptor.ts';

export interface DescriptorCandidate {
  /** Object key of the descriptor. */
  readonly key: string;
  /** Prefix of every tile key, ending in `/`. */
  readonly root: string;
  /** What this candidate may turn out to be. */
  readonly kinds: readonly DescriptorKind[];
}

/** Candidate descriptor keys of `dataset` (a validated name, nested names allowed), optionally only those that may hold `kind`. */
export function descriptorCandidates(dataset: string, kind?: DescriptorKind): DescriptorCandidate[] {
  const all: DescriptorCandidate[] = [
    { key: `${dataset}/info.json`, root: `${dataset}/`, kinds: ['own', 'iiif'] },
    { key: `${dataset}.dzi`, root: `${dataset}_files/`, kinds: ['dzi'] },
    { key: `${dataset}.xml`, root: `${dataset}_files/`, kinds: ['dzi'] },
    { key: `${dataset}/ImageProperties.xml`, root: `${dataset}/`, kinds: ['zoomify'] },
    { key: `${dataset}/vips-properties.xml`, root: `${dataset}/`, kinds: ['vips-google'] },
  ];
  return kind === undefined ? all : all.filter((c) => c.kinds.includes(kind));
}

/** The tile root of a descriptor key: DZI `a/scan.dzi` -> `a/scan_files/`; any other -> its folder (`a/scan/`). */
export function tileRootOf(descriptorKey: string): string {
  const dzi = /^(.*?)\.(dzi|xml)$/i.exec(descriptorKey);
  if (dzi && !/\/(ImageProperties|vips-properties)\.xml$/i.test(descriptorKey) && descriptorKey !== 'ImageProperties.xml') return `${dzi[1]}_files/`;
  const slash = descriptorKey.lastIndexOf('/');
  return slash < 0 ? '' : descriptorKey.slice(0, slash + 1);
}

/** Width and height from a PNG's IHDR chunk (how the tile size of a vips google pyramid is read off blank.png), or null. */
export function pngSize(bytes: Uint8Array): { width: number; height: number } | null {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length < 24 || signature.some((b, i) => bytes[i] !== b)) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') return null;
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/**
 * IIIF Image API 2 and 3, level-0 static tiles (as `vips dzsave --layout
 * iiif|iiif3` writes them): `{x},{y},{w},{h}/{size}/0/default.{fmt}` below the
 * image's id, with region and size computed exactly as OpenSeadragon's
 * IIIFTileSource.getTileUrl does, so the URLs a viewer asks for are the files.
 *
 * TODO(layouts branch): implement tilePath/parseTilePath.
 */
import type { Layout } from './layout.ts';

export const IIIF_LAYOUT: Layout = {
  name: 'iiif',
  tilePath() {
    throw new Error('IIIF layout: not implemented yet');
  },
  parseTilePath() {
    return null;
  },
};

/**
 * IIIF Image API 2 and 3, level-0 static tiles (as `vips dzsave --layout
 * iiif|iiif3` writes them): `{region}/{size}/0/default.{fmt}` below the
 * image's id, with region and size computed exactly as OpenSeadragon 6.1's
 * IIIFTileSource.getTileUrl does, so the URLs a viewer asks for are the files:
 *
 * - a level smaller than one tile is region `full`, size `full` (v2, full
 *   width), `max` (v3, full size), `w,h` (v3) or `w,` (v2);
 * - otherwise region `x,y,w,h` in full-resolution pixels (`full` when that is
 *   the whole image) and size `full` (v2 at full width), `max` (v3 at full
 *   size), `w,` (v2 level 0) or `w,h`.
 *
 * Parsing is the inverse by construction: the numbers in a path propose at
 * most one tile per level, and a proposal counts only if `tilePath` gives back
 * the very same path (so `full`/`max` aliases and odd spellings never match).
 */
import type { Layout } from './layout.ts';
import { hasTile, levelSize, type Pyramid, type TileAddress } from './pyramid.ts';

const NUMBER = '(0|[1-9][0-9]{0,9})';
/** Any IIIF level-0 tile path (region/size/0/default.fmt), whether or not it names a tile of a given pyramid. */
export const IIIF_TILE_PATH = new RegExp(
  `^(full|${NUMBER},${NUMBER},${NUMBER},${NUMBER})/(full|max|${NUMBER},${NUMBER}?)/0/default\\.([A-Za-z0-9]+)$`,
);

function iiifTilePath(p: Pyramid, t: TileAddress): string {
  const version = p.iiifVersion ?? 2;
  const scale = 0.5 ** (p.maxLevel - t.level);
  const { width: levelWidth, height: levelHeight } = levelSize(p, t.level);
  const tile = p.tileSize;
  const regionTile = Math.round(tile / scale);
  let region: string;
  let size: string;
  if (levelWidth < tile && levelHeight < tile) {
    region = 'full';
    if (version === 2 && levelWidth === p.width) size = 'full';
    else if (version === 3 && levelWidth === p.width && levelHeight === p.height) size = 'max';
    else size = version === 3 ? `${levelWidth},${levelHeight}` : `${levelWidth},`;
  } else {
    const x = t.x * regionTile;
    const y = t.y * regionTile;
    const w = Math.min(regionTile, p.width - x);
    const h = Math.min(regionTile, p.height - y);
    region = t.x === 0 && t.y === 0 && w === p.width && h === p.height ? 'full' : `${x},${y},${w},${h}`;
    const sizeW = Math.min(tile, levelWidth - t.x * tile);
    const sizeH = Math.min(tile, levelHeight - t.y * tile);
    if (version === 2 && sizeW === p.width) size = 'full';
    else if (version === 3 && sizeW === p.width && sizeH === p.height) size = 'max';
    else if (version === 2 && p.iiifLevel0 !== false) size = `${sizeW},`;
    else size = `${sizeW},${sizeH}`;
  }
  return `${region}/${size}/0/default.${p.format}`;
}

export const IIIF_LAYOUT: Layout = {
  name: 'iiif',
  tilePath: iiifTilePath,
  parseTilePath(p, path) {
    const match = IIIF_TILE_PATH.exec(path);
    if (!match || match[9] !== p.format) return null;
    const full = match[1] === 'full';
    const [x, y] = full ? [0, 0] : [Number(match[2]), Number(match[3])];
    for (let level = p.minLevel; level <= p.maxLevel; level++) {
      const regionTile = Math.round(p.tileSize * 2 ** (p.maxLevel - level));
      if (x % regionTile !== 0 || y % regionTile !== 0) continue;
      const tile = { level, x: x / regionTile, y: y / regionTile };
      if (hasTile(p, tile) && iiifTilePath(p, tile) === path) return tile;
    }
    return null;
  },
};

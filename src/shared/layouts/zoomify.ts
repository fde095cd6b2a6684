/**
 * Zoomify: `TileGroup{g}/{level}-{x}-{y}.jpg`, where tiles are numbered in
 * order from the smallest level, row by row, and each group holds 256.
 */
import type { Layout } from './layout.ts';
import { hasTile, levelGrid, type Pyramid, type TileAddress } from './pyramid.ts';

const TILES_PER_GROUP = 256;
const PATH = /^TileGroup(0|[1-9][0-9]{0,8})\/(0|[1-9][0-9]{0,2})-(0|[1-9][0-9]{0,8})-(0|[1-9][0-9]{0,8})\.([A-Za-z0-9]+)$/;

/** Index of the tile in Zoomify's numbering: all tiles of smaller levels first, then row-major. */
function tileIndex(p: Pyramid, t: TileAddress): number {
  let index = 0;
  for (let level = p.minLevel; level < t.level; level++) {
    const { columns, rows } = levelGrid(p, level);
    index += columns * rows;
  }
  return index + t.y * levelGrid(p, t.level).columns + t.x;
}

export const ZOOMIFY_LAYOUT: Layout = {
  name: 'zoomify',
  tilePath(p, t) {
    return `TileGroup${Math.floor(tileIndex(p, t) / TILES_PER_GROUP)}/${t.level}-${t.x}-${t.y}.${p.format}`;
  },
  parseTilePath(p, path) {
    const match = PATH.exec(path);
    if (!match || match[5] !== p.format) return null;
    const tile = { level: Number(match[2]), x: Number(match[3]), y: Number(match[4]) };
    if (!hasTile(p, tile)) return null;
    return Math.floor(tileIndex(p, tile) / TILES_PER_GROUP) === Number(match[1]) ? tile : null;
  },
};

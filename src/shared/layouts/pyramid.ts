/**
 * The geometry of a tile pyramid in OpenSeadragon's level numbering, whatever
 * layout stores it: level `maxLevel` is full resolution, each level below it
 * halves both sides, and a level is cut into square `tileSize` tiles (plus
 * `overlap` pixels on each inner edge, which does not change the count).
 *
 * How a side halves differs by format, and OpenSeadragon follows each:
 * DZI, IIIF and our own layout round up (`ceil(side / 2^k)`), Zoomify rounds
 * down (`floor`), which is why `rounding` travels with the geometry.
 */
import type { TileExtension } from '../tile-key.ts';

export type LayoutName = 'dzi' | 'iiif' | 'zoomify' | 'xyz' | 'zxy' | 'own';

export interface Pyramid {
  readonly layout: LayoutName;
  /** Full-resolution size in pixels. */
  readonly width: number;
  readonly height: number;
  /** Tile edge in pixels, overlap excluded. */
  readonly tileSize: number;
  /** Pixels each tile repeats of its neighbours on every inner edge (DZI: usually 1; others 0). */
  readonly overlap: number;
  /** Levels served, in OpenSeadragon's numbering (minLevel may be above 0 when small levels are absent). */
  readonly minLevel: number;
  readonly maxLevel: number;
  /** Extension of the tile objects, as written in their keys (`jpeg` stays `jpeg`). */
  readonly format: TileExtension;
  /** How a level's side is derived from the one above: 'ceil' (DZI, IIIF, own, xyz) or 'floor' (Zoomify). */
  readonly rounding: 'ceil' | 'floor';
  /** IIIF Image API version (2 or 3); absent for other layouts. */
  readonly iiifVersion?: 2 | 3;
  /**
   * IIIF only: the service is level 0 (static files), so version 2 tile sizes
   * are written `w,` as OpenSeadragon does for level 0; otherwise `w,h`.
   * Absent means level 0 (what `vips dzsave --layout iiif` writes).
   */
  readonly iiifLevel0?: boolean;
}

/** One tile of a pyramid, in OpenSeadragon's numbering: column `x`, row `y`, from the top left. */
export interface TileAddress {
  readonly level: number;
  readonly x: number;
  readonly y: number;
}

/** Pixel size of `level`: full size at `maxLevel`, halved (per `rounding`) for each level below. */
export function levelSize(p: Pyramid, level: number): { width: number; height: number } {
  const steps = p.maxLevel - level;
  if (p.rounding === 'ceil') {
    const scale = 2 ** steps;
    return { width: Math.ceil(p.width / scale), height: Math.ceil(p.height / scale) };
  }
  let width = p.width;
  let height = p.height;
  for (let i = 0; i < steps; i++) {
    width = Math.floor(width / 2);
    height = Math.floor(height / 2);
  }
  return { width: Math.max(width, 1), height: Math.max(height, 1) };
}

/** Tiles across (`columns`) and down (`rows`) at `level`. */
export function levelGrid(p: Pyramid, level: number): { columns: number; rows: number } {
  const { width, height } = levelSize(p, level);
  return { columns: Math.ceil(width / p.tileSize), rows: Math.ceil(height / p.tileSize) };
}

/** True when the tile exists in the pyramid (integer coordinates inside the level's grid). */
export function hasTile(p: Pyramid, t: TileAddress): boolean {
  if (!Number.isInteger(t.level) || t.level < p.minLevel || t.level > p.maxLevel) return false;
  const { columns, rows } = levelGrid(p, t.level);
  return Number.isInteger(t.x) && Number.isInteger(t.y) && t.x >= 0 && t.y >= 0 && t.x < columns && t.y < rows;
}

/** The smallest level whose image fits in one tile: where OpenSeadragon's numbering starts for tiled layouts. */
export function oneTileLevel(p: Pick<Pyramid, 'width' | 'height' | 'tileSize'>): number {
  let level = 0;
  while (p.tileSize * 2 ** level < Math.max(p.width, p.height)) level++;
  return level;
}

/**
 * Which tiles a view covers. The page describes a view as a rectangle in
 * full-resolution image pixels plus the level OpenSeadragon draws; the worker
 * turns that back into tile ranges at any level. Both sides use these same
 * functions, so "visible" means the same thing on each side of postMessage.
 */
import { levelTiles, type DatasetInfo } from './dataset-info.ts';

/** A rectangle in image pixels of the full-resolution level (`maxLevel`). */
export interface ImageRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Tiles `minX..maxX` x `minY..maxY` (inclusive) of level `z`. */
export interface TileRange {
  z: number;
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

export interface TilePosition {
  z: number;
  x: number;
  y: number;
}

/** OpenSeadragon's default: a level is drawn once one of its pixels covers half a screen pixel. */
export const OSD_MIN_PIXEL_RATIO = 0.5;

/** The tiles of level `z` that `rect` touches, or null when it misses the image. */
export function tileRangeFor(info: DatasetInfo, rect: ImageRect, z: number): TileRange | null {
  const scale = 2 ** (info.maxLevel - z);
  const { columns, rows } = levelTiles(info, z);
  const size = info.tileSize * scale; // image pixels per tile at level z
  const minX = Math.max(0, Math.floor(rect.x / size));
  const minY = Math.max(0, Math.floor(rect.y / size));
  // Inclusive edges, as OpenSeadragon counts them: a view whose right edge
  // lies exactly on a tile border still loads the tile beyond it.
  const maxX = Math.min(columns - 1, Math.floor((rect.x + rect.width) / size));
  const maxY = Math.min(rows - 1, Math.floor((rect.y + rect.height) / size));
  if (maxX < minX || maxY < minY || rect.width <= 0 || rect.height <= 0) return null;
  return { z, minX, minY, maxX, maxY };
}

export function rangeContains(range: TileRange, tile: TilePosition): boolean {
  return tile.z === range.z && tile.x >= range.minX && tile.x <= range.maxX && tile.y >= range.minY && tile.y <= range.maxY;
}

export function rangeSize(range: TileRange): number {
  return (range.maxX - range.minX + 1) * (range.maxY - range.minY + 1);
}

/** `rect` scaled by `factor` about its centre (factor 2: what a zoom-out by 2 shows). */
export function scaleRect(rect: ImageRect, factor: number): ImageRect {
  const cx = rect.x + rect.width / 2;
  const cy = rect.y + rect.height / 2;
  const width = rect.width * factor;
  const height = rect.height * factor;
  return { x: cx - width / 2, y: cy - height / 2, width, height };
}

/**
 * The highest level OpenSeadragon draws at `devicePixelsPerImagePixel`
 * (its `_updateLevels`: a level counts once its pixel covers `minPixelRatio`
 * device pixels), clamped to the dataset's levels.
 */
export function drawnLevel(info: DatasetInfo, devicePixelsPerImagePixel: number, minPixelRatio = OSD_MIN_PIXEL_RATIO): number {
  if (!(devicePixelsPerImagePixel > 0)) return info.minLevel;
  const level = Math.floor(info.maxLevel + Math.log2(devicePixelsPerImagePixel / minPixelRatio) + 1e-9);
  return Math.min(info.maxLevel, Math.max(info.minLevel, level));
}

/** Whether a tile of any level overlaps `rect` (used to decide what left the view). */
export function tileTouches(info: DatasetInfo, rect: ImageRect, tile: TilePosition): boolean {
  const range = tileRangeFor(info, rect, tile.z);
  return range !== null && rangeContains(range, tile);
}

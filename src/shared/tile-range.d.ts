/**
 * Which tiles a view covers. The page describes a view as a rectangle in
 * full-resolution image pixels plus the level OpenSeadragon draws; the worker
 * turns that back into tile ranges at any level. Both sides use these same
 * functions, so "visible" means the same thing on each side of postMessage.
 */
import { type DatasetInfo } from './dataset-info.ts';
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
export declare const OSD_MIN_PIXEL_RATIO = 0.5;
/** The tiles of level `z` that `rect` touches, or null when it misses the image. */
export declare function tileRangeFor(info: DatasetInfo, rect: ImageRect, z: number): TileRange | null;
export declare function rangeContains(range: TileRange, tile: TilePosition): boolean;
export declare function rangeSize(range: TileRange): number;
/** `rect` scaled by `factor` about its centre (factor 2: what a zoom-out by 2 shows). */
export declare function scaleRect(rect: ImageRect, factor: number): ImageRect;
/**
 * The highest level OpenSeadragon draws at `devicePixelsPerImagePixel`
 * (its `_updateLevels`: a level counts once its pixel covers `minPixelRatio`
 * device pixels), clamped to the dataset's levels.
 */
export declare function drawnLevel(info: DatasetInfo, devicePixelsPerImagePixel: number, minPixelRatio?: number): number;
/** Whether a tile of any level overlaps `rect` (used to decide what left the view). */
export declare function tileTouches(info: DatasetInfo, rect: ImageRect, tile: TilePosition): boolean;

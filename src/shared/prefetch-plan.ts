/**
 * What to fetch before the viewer asks: given a settled view, the tiles it is
 * most likely to need next, most likely first, bounded in count and bytes.
 *
 *   1. the next level in, for exactly the view a zoom-in by 2 about the
 *      centre shows (the move a reader makes most; its view needs about as
 *      many tiles as the current one, and more at the home view);
 *   2. the ring around the view at the drawn level (a pan of a tile or two);
 *   3. a one-tile margin around that zoom-in view (the zoom animation passes
 *      through wider views);
 *   4. the next level out, for the view a zoom-out by 2 shows (mostly loaded
 *      already: OpenSeadragon draws every coarser level under the view).
 *
 * Within each group tiles go centre-out, so a budget cut keeps the likeliest.
 * Besides `maxTiles` and `maxBytes`, a plan names at most `viewMultiple` times
 * the view's own tiles (the visible tiles at the drawn level and at every
 * coarser one: what OpenSeadragon loads for the view when nothing is cached),
 * so prefetch never costs the upstream more than twice what the view itself
 * did. Measured on the 16384² `sample` at 1280x800 (bench): the home view's 21
 * tiles planned 60 (56 of them a margin-wide zoom-in), 3.7x upstream GETs per
 * view tile; under the budget it plans 42, the zoom-in's 40 first.
 * Pure: no I/O, no clock; the worker's prefetcher runs the plan.
 */
import type { DatasetInfo } from './dataset-info.ts';
import { rangeContains, rangeSize, scaleRect, tileRangeFor, type ImageRect, type TilePosition, type TileRange } from './tile-range.ts';

export interface PrefetchOptions {
  /** Off switch: no prefetch at all. */
  enabled: boolean;
  /** Tiles of margin around the view at the drawn level. */
  ringWidth: number;
  /** Levels in (more detail) to prefetch, nearest first. */
  levelsIn: number;
  /** Levels out (less detail) to prefetch, after the levels in. */
  levelsOut: number;
  /** Most tiles one plan may name. */
  maxTiles: number;
  /**
   * Most tiles one plan may name as a multiple of the view's own tiles
   * (visible at the drawn level and every coarser level); 0: no such bound.
   */
  viewMultiple: number;
  /** Most bytes one plan may cost, counted with `estimatedTileBytes` until real sizes are known. */
  maxBytes: number;
  /** Bytes a tile is assumed to cost before any has been measured. */
  estimatedTileBytes: number;
}

export const DEFAULT_PREFETCH_OPTIONS: Readonly<PrefetchOptions> = {
  enabled: true,
  ringWidth: 1,
  levelsIn: 1,
  levelsOut: 1,
  // A 1280x800 view of 256 px tiles is ~35 tiles; its ring ~28, the zoom-in
  // view with margin ~60, the zoom-out view ~35: 160 covers all of it.
  maxTiles: 160,
  // Issue 13: prefetch costs at most 2x a view's own tiles.
  viewMultiple: 2,
  maxBytes: 16 * 1024 * 1024,
  estimatedTileBytes: 32 * 1024,
};

export function resolvePrefetchOptions(options: Partial<PrefetchOptions> | false | undefined): PrefetchOptions {
  if (options === false) return { ...DEFAULT_PREFETCH_OPTIONS, enabled: false };
  const resolved = { ...DEFAULT_PREFETCH_OPTIONS, ...options };
  for (const name of ['ringWidth', 'levelsIn', 'levelsOut', 'maxTiles', 'viewMultiple', 'maxBytes', 'estimatedTileBytes'] as const) {
    const value = resolved[name];
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`Prefetch option "${name}" must be a non-negative integer, got ${value}.`);
  }
  return resolved;
}

export type PrefetchReason = 'ring' | 'in' | 'out';

/** The tiles OpenSeadragon loads for a view when nothing is cached: the visible ones at `level` and every coarser level. */
export function viewTileCount(info: DatasetInfo, rect: ImageRect, level: number): number {
  let count = 0;
  for (let z = info.minLevel; z <= level; z += 1) {
    const range = tileRangeFor(info, rect, z);
    if (range) count += rangeSize(range);
  }
  return count;
}

export interface PlannedTile extends TilePosition {
  reason: PrefetchReason;
}

export interface PlanInput {
  info: DatasetInfo;
  /** The visible rectangle, in full-resolution image pixels. */
  rect: ImageRect;
  /** The level OpenSeadragon draws the view at. */
  level: number;
  /** Measured mean tile size, when the caller knows it (beats the estimate). */
  meanTileBytes?: number;
}

export function planPrefetch(input: PlanInput, options: PrefetchOptions): PlannedTile[] {
  if (!options.enabled) return [];
  const { info, rect, level } = input;
  const perTile = Math.max(1, input.meanTileBytes ?? options.estimatedTileBytes);
  const byView = options.viewMultiple > 0 ? options.viewMultiple * viewTileCount(info, rect, level) : Number.POSITIVE_INFINITY;
  const budget = Math.min(options.maxTiles, Math.floor(options.maxBytes / perTile), byView);
  const visible = tileRangeFor(info, rect, level);
  if (!visible || budget === 0) return [];

  const planned: PlannedTile[] = [];
  const seen = new Set<string>();
  const add = (tiles: TilePosition[], reason: PrefetchReason): void => {
    for (const tile of tiles) {
      if (planned.length >= budget) return;
      const id = `${tile.z}/${tile.x}/${tile.y}`;
      if (seen.has(id)) continue;
      seen.add(id);
      planned.push({ ...tile, reason });
    }
  };

  const levelsIn = Array.from({ length: options.levelsIn }, (_, i) => level + i + 1).filter((z) => z <= info.maxLevel);
  const zoomed = (z: number) => scaleRect(rect, 1 / 2 ** (z - level));
  for (const z of levelsIn) {
    const range = tileRangeFor(info, zoomed(z), z);
    if (range) add(centreOut(range, rect, info), 'in');
  }
  const ring = tileRangeFor(info, grow(rect, info, level, options.ringWidth), level);
  if (ring) add(centreOut(ring, rect, info).filter((t) => !rangeContains(visible, t)), 'ring');
  for (const z of levelsIn) {
    const range = tileRangeFor(info, grow(zoomed(z), info, z, 1), z);
    if (range) add(centreOut(range, rect, info), 'in');
  }
  for (let k = 1; k <= options.levelsOut && level - k >= info.minLevel; k += 1) {
    const z = level - k;
    const range = tileRangeFor(info, scaleRect(rect, 2 ** k), z);
    if (range) add(centreOut(range, rect, info), 'out');
  }
  return planned;
}

/** `rect` grown by `tiles` tiles of level `z` on every side. */
function grow(rect: ImageRect, info: DatasetInfo, z: number, tiles: number): ImageRect {
  const margin = tiles * info.tileSize * 2 ** (info.maxLevel - z);
  return { x: rect.x - margin, y: rect.y - margin, width: rect.width + 2 * margin, height: rect.height + 2 * margin };
}

/** The tiles of `range`, nearest to the centre of `rect` first (ties: row-major, for stable plans). */
function centreOut(range: TileRange, rect: ImageRect, info: DatasetInfo): TilePosition[] {
  const size = info.tileSize * 2 ** (info.maxLevel - range.z);
  const cx = (rect.x + rect.width / 2) / size;
  const cy = (rect.y + rect.height / 2) / size;
  const tiles: Array<TilePosition & { d: number }> = [];
  for (let y = range.minY; y <= range.maxY; y += 1) {
    for (let x = range.minX; x <= range.maxX; x += 1) {
      tiles.push({ z: range.z, x, y, d: Math.hypot(x + 0.5 - cx, y + 0.5 - cy) });
    }
  }
  tiles.sort((a, b) => a.d - b.d);
  return tiles.map(({ z, x, y }) => ({ z, x, y }));
}

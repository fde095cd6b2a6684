/**
 * Which tiles an offline region holds, and what they will cost. Pure: the
 * worker plans with it (and re-plans after a restart: the plan is a function
 * of the region's record, so only a cursor needs persisting), the page and
 * tests call it to predict counts.
 *
 * A region is a rectangle in full-resolution image pixels (or the whole
 * image) and a range of levels `minLevel..maxLevel` in OpenSeadragon's
 * numbering. It also holds the tiles of every coarser level over the same
 * rectangle ("cover" levels): OpenSeadragon draws those first while it zooms,
 * so a view inside the region would otherwise miss them offline. They are few
 * (each coarser level has a quarter of the tiles of the next).
 *
 * Tile ranges use the viewer's own arithmetic (edges inclusive, as
 * tile-range.ts): a view whose edge lies on a tile border still loads the
 * tile beyond it, and so does the region.
 *
 * Order: coarse to fine, row by row, so a region cut short is still useful
 * (the overview first) and `tileAt(plan, i)` names the i-th tile in O(levels).
 */
import { TileError } from './errors.ts';
import { levelGrid, levelSize, type Pyramid, type TileAddress } from './layouts/index.ts';
import type { ImageRect } from './tile-range.ts';

/** Most tiles one region may hold (a bound on planning, storage and the worker's time). */
export const MAX_REGION_TILES = 200_000;

export interface LevelRange {
  level: number;
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
  /** True for a level below `minLevel` kept because the viewer draws it while zooming. */
  cover: boolean;
}

export interface RegionPlan {
  /** Coarse to fine; levels the rectangle misses are absent. */
  ranges: LevelRange[];
  tiles: number;
}

export interface RegionArea {
  /** Image pixels of the full-resolution level, or null for the whole image. */
  rect: ImageRect | null;
  minLevel: number;
  maxLevel: number;
}

/** The tiles of `area` in pyramid `p`; throws TileError BAD_REQUEST for levels outside the pyramid, TOO_MANY_TILES past MAX_REGION_TILES. */
export function planRegion(p: Pyramid, area: RegionArea, maxTiles = MAX_REGION_TILES): RegionPlan {
  const { minLevel, maxLevel } = area;
  if (!Number.isInteger(minLevel) || !Number.isInteger(maxLevel) || minLevel < p.minLevel || maxLevel > p.maxLevel || minLevel > maxLevel) {
    throw new TileError('BAD_REQUEST', `Region levels ${minLevel}-${maxLevel} are not inside the pyramid's ${p.minLevel}-${p.maxLevel}: pick levels in that range, lowest first.`);
  }
  const rect = area.rect ?? { x: 0, y: 0, width: p.width, height: p.height };
  if (![rect.x, rect.y, rect.width, rect.height].every(Number.isFinite) || rect.width <= 0 || rect.height <= 0) {
    throw new TileError('BAD_REQUEST', 'Region rectangle needs finite x, y and a positive width and height (image pixels).');
  }
  const ranges: LevelRange[] = [];
  let tiles = 0;
  for (let level = p.minLevel; level <= maxLevel; level += 1) {
    const range = levelRange(p, rect, level);
    if (!range) continue;
    tiles += rangeTiles(range);
    if (tiles > maxTiles) {
      throw new TileError('TOO_MANY_TILES', `A region of levels ${minLevel}-${maxLevel} over this rectangle holds more than ${maxTiles} tiles: pick a smaller rectangle or fewer levels.`);
    }
    ranges.push({ ...range, cover: level < minLevel });
  }
  return { ranges, tiles };
}

/** The tiles of `level` that `rect` touches (edges inclusive), or null when it misses the image. */
export function levelRange(p: Pyramid, rect: ImageRect, level: number): Omit<LevelRange, 'cover'> | null {
  // OpenSeadragon scales a level by 2^-(maxLevel - level) for ceil-rounded pyramids; Zoomify's sides are floored.
  const size = levelSize(p, level);
  const sx = p.rounding === 'ceil' ? 2 ** (level - p.maxLevel) : size.width / p.width;
  const sy = p.rounding === 'ceil' ? 2 ** (level - p.maxLevel) : size.height / p.height;
  const { columns, rows } = levelGrid(p, level);
  const minX = Math.max(0, Math.floor((rect.x * sx) / p.tileSize));
  const minY = Math.max(0, Math.floor((rect.y * sy) / p.tileSize));
  const maxX = Math.min(columns - 1, Math.floor(((rect.x + rect.width) * sx) / p.tileSize));
  const maxY = Math.min(rows - 1, Math.floor(((rect.y + rect.height) * sy) / p.tileSize));
  return maxX < minX || maxY < minY ? null : { level, minX, minY, maxX, maxY };
}

export function rangeTiles(r: Pick<LevelRange, 'minX' | 'minY' | 'maxX' | 'maxY'>): number {
  return (r.maxX - r.minX + 1) * (r.maxY - r.minY + 1);
}

/** The `index`-th tile of the plan (0-based), or undefined past its end. */
export function tileAt(plan: RegionPlan, index: number): TileAddress | undefined {
  let rest = index;
  for (const r of plan.ranges) {
    const n = rangeTiles(r);
    if (rest < n) {
      const width = r.maxX - r.minX + 1;
      return { level: r.level, x: r.minX + (rest % width), y: r.minY + Math.floor(rest / width) };
    }
    rest -= n;
  }
  return undefined;
}

/** Tiles `from..to-1` of the plan, in order. */
export function tilesBetween(plan: RegionPlan, from: number, to: number): TileAddress[] {
  const tiles: TileAddress[] = [];
  for (let i = from; i < Math.min(to, plan.tiles); i += 1) tiles.push(tileAt(plan, i)!);
  return tiles;
}

/** What tiles of one level measured: how many were sampled and their total stored bytes. */
export interface LevelSample {
  tiles: number;
  bytes: number;
}

export interface LevelEstimate {
  level: number;
  tiles: number;
  meanTileBytes: number;
  /** 'measured': from tiles of this level already stored; 'nearest': borrowed from the nearest measured level; 'assumed': nothing measured yet. */
  basis: 'measured' | 'nearest' | 'assumed';
}

export interface RegionEstimate {
  tiles: number;
  bytes: number;
  levels: LevelEstimate[];
  /** The weakest basis of any level. */
  basis: LevelEstimate['basis'];
}

/** Bytes per pixel assumed before any tile of the source was seen (a JPEG photograph at quality ~75-80). */
export const ASSUMED_BYTES_PER_PIXEL = 0.3;

/**
 * The bytes a plan will cost: per level, its tile count times the mean stored
 * bytes of that level's tiles already seen; a level never seen borrows the
 * mean of the nearest level that was; with none seen, `tileSize² x
 * ASSUMED_BYTES_PER_PIXEL`.
 */
export function estimateRegion(plan: RegionPlan, tileSize: number, samples: ReadonlyMap<number, LevelSample>): RegionEstimate {
  const measured = [...samples.entries()].filter(([, s]) => s.tiles > 0).map(([level, s]) => ({ level, mean: s.bytes / s.tiles }));
  const order = { measured: 0, nearest: 1, assumed: 2 } as const;
  let basis: LevelEstimate['basis'] = 'measured';
  const levels = plan.ranges.map((r): LevelEstimate => {
    const tiles = rangeTiles(r);
    const own = measured.find((m) => m.level === r.level);
    const nearest = own ?? [...measured].sort((a, b) => Math.abs(a.level - r.level) - Math.abs(b.level - r.level) || b.level - a.level)[0];
    const level: LevelEstimate = nearest
      ? { level: r.level, tiles, meanTileBytes: Math.round(nearest.mean), basis: own ? 'measured' : 'nearest' }
      : { level: r.level, tiles, meanTileBytes: Math.round(tileSize * tileSize * ASSUMED_BYTES_PER_PIXEL), basis: 'assumed' };
    if (order[level.basis] > order[basis]) basis = level.basis;
    return level;
  });
  return { tiles: plan.tiles, bytes: levels.reduce((sum, l) => sum + l.tiles * l.meanTileBytes, 0), levels, basis };
}

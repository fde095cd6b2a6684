/**
 * Level math for our deep-zoom pyramid, shared by the tiler, the server and
 * the browser so they can never disagree about which tiles exist.
 *
 * Level 0 is the whole image shrunk to fit one tile; each level doubles; the
 * last level is full resolution. This is OpenSeadragon's TileSource math with
 * minLevel 0, so `{z}/{x}/{y}` from OSD maps straight onto our keys.
 */

export interface Size {
  readonly width: number;
  readonly height: number;
}

export interface Grid {
  /** Tiles across. */
  readonly columns: number;
  /** Tiles down. */
  readonly rows: number;
}

function assertDimensions(width: number, height: number, tileSize: number): void {
  for (const [name, value] of [['width', width], ['height', height], ['tileSize', tileSize]] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(`${name} must be a positive integer, got ${value}`);
    }
  }
}

/** Highest level: ceil(log2(max(W, H) / tileSize)), never below 0. */
export function maxLevelFor(width: number, height: number, tileSize: number): number {
  assertDimensions(width, height, tileSize);
  // Integer doubling instead of Math.log2 so exact powers of two never round up.
  let level = 0;
  while (tileSize * 2 ** level < Math.max(width, height)) level++;
  return level;
}

function assertLevel(level: number, maxLevel: number): void {
  if (!Number.isInteger(level) || level < 0 || level > maxLevel) {
    throw new RangeError(`level must be an integer in 0..${maxLevel}, got ${level}`);
  }
}

/** Pixel size of one level: each side is ceil(side / 2^(maxLevel - level)). */
export function levelSize(width: number, height: number, tileSize: number, level: number): Size {
  const maxLevel = maxLevelFor(width, height, tileSize);
  assertLevel(level, maxLevel);
  const scale = 2 ** (maxLevel - level);
  return { width: Math.ceil(width / scale), height: Math.ceil(height / scale) };
}

/** How many tiles a level is cut into (overlap does not change the count). */
export function levelGrid(width: number, height: number, tileSize: number, level: number): Grid {
  const size = levelSize(width, height, tileSize, level);
  return { columns: Math.ceil(size.width / tileSize), rows: Math.ceil(size.height / tileSize) };
}

/** Total number of tiles in the whole pyramid, levels 0..maxLevel. */
export function tileCount(width: number, height: number, tileSize: number): number {
  const maxLevel = maxLevelFor(width, height, tileSize);
  let total = 0;
  for (let level = 0; level <= maxLevel; level++) {
    const grid = levelGrid(width, height, tileSize, level);
    total += grid.columns * grid.rows;
  }
  return total;
}

/** True when (level, x, y) names a tile that exists in this pyramid. */
export function tileExists(
  width: number,
  height: number,
  tileSize: number,
  level: number,
  x: number,
  y: number,
): boolean {
  if (!Number.isInteger(level) || level < 0 || level > maxLevelFor(width, height, tileSize)) return false;
  const grid = levelGrid(width, height, tileSize, level);
  return Number.isInteger(x) && Number.isInteger(y) && x >= 0 && y >= 0 && x < grid.columns && y < grid.rows;
}

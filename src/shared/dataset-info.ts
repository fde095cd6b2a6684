/**
 * The description of a tiled dataset (`{dataset}/info.json`), checked when it
 * enters from disk or the network so the rest of the code can trust its shape.
 */
import { TileError } from './errors.ts';
import type { LayoutName } from './layouts/pyramid.ts';
import { isTileExtension, type TileExtension } from './tile-key.ts';

export interface DatasetInfo {
  width: number;
  height: number;
  tileSize: number;
  overlap: number;
  minLevel: number;
  maxLevel: number;
  format: TileExtension;
  /** Changes whenever the tiles change; caches key their entries with it. */
  version: string;
  /**
   * How the companion found the pyramid (its `/info` always says; an own
   * info.json may say `zxy` or `xyz`). Tiles are asked for in OpenSeadragon's
   * numbering whatever the layout.
   */
  layout?: LayoutName;
  /** How a level's side halves: `floor` for Zoomify, else `ceil` (absent means ceil). */
  rounding?: 'ceil' | 'floor';
}

const INTEGER_FIELDS = ['width', 'height', 'tileSize', 'overlap', 'minLevel', 'maxLevel'] as const;

export function parseDatasetInfo(value: unknown, dataset: string): DatasetInfo {
  const fail = (what: string): never => {
    throw new TileError('UPSTREAM_ERROR', `info.json of dataset "${dataset}" is malformed: ${what}.`);
  };
  if (typeof value !== 'object' || value === null) return fail('not a JSON object');
  const record = value as Record<string, unknown>;
  for (const field of INTEGER_FIELDS) {
    const n = record[field];
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) fail(`"${field}" must be a non-negative integer`);
  }
  const format = record.format;
  if (typeof format !== 'string' || !isTileExtension(format)) fail('"format" must be jpg, jpeg, png or webp');
  const version = record.version;
  if (typeof version !== 'string' || version.length === 0 || version.length > 64) fail('"version" must be a short string');
  const info = record as unknown as DatasetInfo;
  if (info.tileSize === 0 || info.minLevel > info.maxLevel) fail('levels or tileSize out of range');
  return {
    width: info.width,
    height: info.height,
    tileSize: info.tileSize,
    overlap: info.overlap,
    minLevel: info.minLevel,
    maxLevel: info.maxLevel,
    format: info.format,
    version: info.version,
  };
}

/** Tiles across and down at level `z` (level maxLevel is full resolution). */
export function levelTiles(info: DatasetInfo, z: number): { columns: number; rows: number } {
  const scale = 2 ** (info.maxLevel - z);
  const width = Math.ceil(info.width / scale);
  const height = Math.ceil(info.height / scale);
  return { columns: Math.ceil(width / info.tileSize), rows: Math.ceil(height / info.tileSize) };
}

export function isTileInBounds(info: DatasetInfo, tile: { z: number; x: number; y: number }): boolean {
  if (tile.z < info.minLevel || tile.z > info.maxLevel) return false;
  const { columns, rows } = levelTiles(info, tile.z);
  return tile.x < columns && tile.y < rows;
}

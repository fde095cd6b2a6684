/**
 * Tile keys and the URL grammar of the tile API. Everything a client sends is
 * parsed here first, so no other module ever sees an unchecked dataset name,
 * coordinate or extension (and no path built from input can leave its dataset).
 */
import { TileError } from './errors.ts';

export const TILE_EXTENSIONS = ['jpg', 'jpeg', 'png', 'webp'] as const;
export type TileExtension = (typeof TILE_EXTENSIONS)[number];

/** Formats tried, in order, when the requested one is missing upstream. */
export const FALLBACK_ORDER: readonly TileExtension[] = ['jpg', 'png', 'webp'];

const CONTENT_TYPES: Record<TileExtension, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
};

const DATASET_NAME = /^[A-Za-z0-9._-]{1,128}$/;
const COORDINATE = /^(0|[1-9][0-9]{0,8})$/;

/** A tile inside a dataset: `{z}/{x}/{y}.{ext}`. */
export interface TileCoord {
  z: number;
  x: number;
  y: number;
  ext: TileExtension;
}

export interface TileKey extends TileCoord {
  dataset: string;
}

export function isValidDatasetName(name: string): boolean {
  return DATASET_NAME.test(name) && !name.includes('..');
}

export function assertDatasetName(name: string): string {
  if (!isValidDatasetName(name)) {
    throw new TileError(
      'BAD_TILE_KEY',
      `Dataset name "${truncate(name)}" is invalid: use 1-128 of A-Z a-z 0-9 . _ - and no "..".`,
    );
  }
  return name;
}

export function isTileExtension(ext: string): ext is TileExtension {
  return (TILE_EXTENSIONS as readonly string[]).includes(ext);
}

export function contentTypeFor(ext: TileExtension): string {
  return CONTENT_TYPES[ext];
}

function parseCoordinate(value: string, axis: string): number {
  if (!COORDINATE.test(value)) {
    throw new TileError(
      'BAD_TILE_KEY',
      `Tile ${axis} "${truncate(value)}" is invalid: use a non-negative integer.`,
    );
  }
  return Number(value);
}

/** Parses the part of a path that names a tile: `z/x/y.ext`. */
export function parseTileCoord(path: string): TileCoord {
  const match = /^([^/]+)\/([^/]+)\/([^/.]+)\.([^/.]+)$/.exec(path);
  if (!match) {
    throw new TileError(
      'BAD_TILE_KEY',
      `Tile "${truncate(path)}" is invalid: expected z/x/y.ext, e.g. 3/2/1.jpg.`,
    );
  }
  const [, z, x, y, ext] = match as unknown as [string, string, string, string, string];
  return { z: parseCoordinate(z, 'z'), x: parseCoordinate(x, 'x'), y: parseCoordinate(y, 'y'), ext: parseExtension(ext) };
}

export function parseExtension(ext: string): TileExtension {
  const lower = ext.toLowerCase();
  if (!isTileExtension(lower)) {
    throw new TileError(
      'BAD_TILE_KEY',
      `Tile extension ".${truncate(ext)}" is not served: use one of ${TILE_EXTENSIONS.join(', ')}.`,
    );
  }
  return lower;
}

export function parseTileKey(dataset: string, coord: string): TileKey {
  return { dataset: assertDatasetName(dataset), ...parseTileCoord(coord) };
}

/** `z/x/y.ext`: the name of a tile inside its dataset (and in batch requests). */
export function formatTileCoord(tile: TileCoord): string {
  return `${tile.z}/${tile.x}/${tile.y}.${tile.ext}`;
}

/** `dataset/z/x/y.ext`: the object key in the bucket or tiles folder. */
export function objectKey(tile: TileKey): string {
  return `${tile.dataset}/${formatTileCoord(tile)}`;
}

/** The key of a tile's bytes in a cache: versioned, format-free (fallback may serve another format). */
export function cacheKey(dataset: string, version: string, tile: Omit<TileCoord, 'ext'>): string {
  return `${dataset}@${version}/${tile.z}/${tile.x}/${tile.y}`;
}

function truncate(value: string, max = 40): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}

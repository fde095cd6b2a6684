/**
 * Dataset names with folders (`collections/case-1`), and the tile API's URL
 * grammar below `/api/tiles/`:
 *
 *   {dataset}/info | batch | cache-stats | cache-clear
 *   {dataset}/{z}/{x}/{y}.{ext}
 *
 * where {dataset} is 1-16 segments of `A-Za-z0-9._-` (never `.` or `..`), so
 * a name can never leave its folder or the bucket. The endpoint is split off
 * the known suffixes, since a dataset may itself hold slashes (plain or
 * percent-encoded: `collections%2Fcase-1` is `collections/case-1`).
 */
import { TileError } from './errors.ts';
import { isValidDatasetName, parseTileCoord, type TileCoord, type TileKey } from './tile-key.ts';

export const DATASET_ENDPOINTS = ['info', 'batch', 'cache-stats', 'cache-clear'] as const;
export type DatasetEndpoint = (typeof DATASET_ENDPOINTS)[number];

export type TileApiTarget =
  | { readonly dataset: string; readonly endpoint: DatasetEndpoint }
  | { readonly dataset: string; readonly endpoint: 'tile'; readonly tile: TileCoord };

const MAX_SEGMENTS = 16;
const MAX_LENGTH = 512;

export function isValidDatasetPath(name: string): boolean {
  if (name.length === 0 || name.length > MAX_LENGTH) return false;
  const segments = name.split('/');
  return segments.length <= MAX_SEGMENTS && segments.every((s) => isValidDatasetName(s) && s !== '.');
}

export function assertDatasetPath(name: string): string {
  if (!isValidDatasetPath(name)) {
    const shown = name.length > 60 ? `${name.slice(0, 60)}…` : name;
    throw new TileError(
      'BAD_TILE_KEY',
      `Dataset name "${shown}" is invalid: use up to ${MAX_SEGMENTS} folders of 1-128 of A-Z a-z 0-9 . _ - separated by "/", without "." or ".." folders.`,
    );
  }
  return name;
}

/**
 * Decodes one URL segment. An encoded `/` (`encodeURIComponent` of a nested
 * name, as pages build URLs) separates folders like a plain one; every piece
 * is then checked on its own, so `a%2F..%2Fb` is still refused.
 */
function decode(segment: string): string[] {
  try {
    return decodeURIComponent(segment).split('/');
  } catch {
    throw new TileError('BAD_TILE_KEY', `URL segment "${segment.slice(0, 40)}" is not valid percent-encoding.`);
  }
}

/** Parses the path below `/api/tiles/` (still percent-encoded). Throws BAD_TILE_KEY or NOT_FOUND naming the grammar. */
export function parseTileApiPath(rest: string): TileApiTarget {
  if (rest.length > MAX_LENGTH + 64) throw new TileError('BAD_TILE_KEY', 'Tile API path is too long.');
  const segments = rest.split('/').flatMap(decode);
  const last = segments[segments.length - 1] ?? '';
  if ((DATASET_ENDPOINTS as readonly string[]).includes(last) && segments.length >= 2) {
    return { dataset: assertDatasetPath(segments.slice(0, -1).join('/')), endpoint: last as DatasetEndpoint };
  }
  // A last segment with an extension is a tile request: its coordinates are checked (400) rather than 404.
  if (segments.length >= 4 && last.includes('.')) {
    const dataset = assertDatasetPath(segments.slice(0, -3).join('/'));
    return { dataset, endpoint: 'tile', tile: parseTileCoord(segments.slice(-3).join('/')) };
  }
  throw new TileError(
    'NOT_FOUND',
    `No tile API endpoint at /api/tiles/${rest.slice(0, 80)}: use /api/tiles/{dataset}/info, /batch, /cache-stats, /cache-clear or /{z}/{x}/{y}.{ext}.`,
  );
}

/**
 * Matches the tile URL path `{prefix}{dataset}/{z}/{x}/{y}.{ext}` (a dataset
 * may hold folders, plain or percent-encoded), or null: how the worker and
 * the page recognise the companion's own tile URLs.
 */
export function matchTilePath(pathname: string, prefix = '/api/tiles/'): TileKey | null {
  if (!pathname.startsWith(prefix)) return null;
  try {
    const target = parseTileApiPath(pathname.slice(prefix.length));
    return target.endpoint === 'tile' ? { dataset: target.dataset, ...target.tile } : null;
  } catch {
    return null;
  }
}

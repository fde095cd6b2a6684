/**
 * The worker's gate before any tier: a tile body is kept (memory, IndexedDB)
 * and answered as a tile only when shared/image-body.ts says it is a whole
 * image of the type it is served as. An upstream `200` with an HTML error
 * page, an empty body or a truncated file is an upstream error, never a tile.
 * The same check runs on IndexedDB reads, so entries an older build stored
 * are deleted and refetched.
 */
import { checkImageBody } from '../shared/image-body.ts';
import type { StoredTile } from './stored-tile.ts';

/** Why `bytes` is no tile of `contentType` (null: it is one). `declaredLength`: the upstream's Content-Length, if any. */
export function bodyProblem(bytes: Uint8Array, contentType: string, declaredLength?: number | null): string | null {
  const verdict = checkImageBody(bytes, { contentType, declaredLength });
  return verdict.ok ? null : verdict.reason;
}

/** As `bodyProblem`, for a stored tile (its Blob is read once). */
export async function tileProblem(tile: StoredTile, declaredLength?: number | null): Promise<string | null> {
  return bodyProblem(new Uint8Array(await tile.body.arrayBuffer()), tile.contentType, declaredLength);
}

/** A Content-Length header as a number of bytes; null when absent, not a number, or the body was content-encoded. */
export function declaredLengthOf(headers: Headers): number | null {
  if (headers.has('Content-Encoding')) return null;
  const value = headers.get('Content-Length');
  if (value === null || !/^\d+$/.test(value.trim())) return null;
  return Number(value);
}

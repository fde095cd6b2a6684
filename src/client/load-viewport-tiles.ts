/**
 * For applications that call the batch endpoint themselves (their own
 * renderer, a thumbnail strip, a print export): many tiles in few requests.
 * Reads the JSON base64 format of the original design by default and the
 * streamed binary format when asked; either way the answer is a Map from
 * `z/x/y.ext` to a Blob, or null for a tile the dataset does not have.
 */
import pLimit from 'p-limit';
import { fromBase64 } from '../shared/base64.ts';
import { BATCH_CONTENT_TYPE, MAX_BATCH_TILES, readBatchStream } from '../shared/batch-protocol.ts';
import { TileError, type ErrorBody } from '../shared/errors.ts';
import { contentTypeFor, formatTileCoord, parseTileCoord, type TileCoord } from '../shared/tile-key.ts';

/**
 * Options of `loadViewportTiles`: wire `format`, `apiBase`, `tilesPerRequest`
 * (at most 100), `concurrency` (requests in flight), `signal`, `fetch`.
 *
 * @example
 * await loadViewportTiles('sample', keys, { format: 'binary', apiBase: 'https://tiles.example.com/api/tiles', concurrency: 2 });
 */
export interface LoadViewportTilesOptions {
  /** `json` (base64, default) or `binary` (streamed frames, a third fewer bytes). */
  format?: 'json' | 'binary';
  /** Where the tile API lives (default `/api/tiles`; may be absolute). */
  apiBase?: string;
  /** Tiles per request, at most the server's limit of 100. */
  tilesPerRequest?: number;
  /** Requests in flight at once (default 4). */
  concurrency?: number;
  signal?: AbortSignal;
  /** The fetch to use (default the global one). */
  fetch?: typeof fetch;
}

/**
 * A tile to load: `z/x/y.ext`, or its parts.
 *
 * @example
 * const tiles: TileRequest[] = ['5/10/12.jpg', { z: 5, x: 11, y: 12, ext: 'jpg' }];
 */
export type TileRequest = string | TileCoord;

/**
 * Many tiles of one dataset in few batch requests (100 tiles each): a Map from
 * `z/x/y.ext` to a Blob, or null for a tile the dataset does not have, every
 * requested key present, in request order. A failing batch rejects with a
 * TileError carrying the companion's code and message.
 *
 * @example
 * import { loadViewportTiles } from 'tile-accelerator/client';
 *
 * const tiles = await loadViewportTiles('sample', ['5/10/12.jpg', '5/11/12.jpg'], { format: 'binary' });
 * for (const [key, blob] of tiles) if (blob) document.body.append(Object.assign(new Image(), { src: URL.createObjectURL(blob), alt: key }));
 */
export async function loadViewportTiles(
  datasetId: string,
  tiles: readonly TileRequest[],
  options: LoadViewportTilesOptions = {},
): Promise<Map<string, Blob | null>> {
  const keys = [...new Set(tiles.map((t) => formatTileCoord(typeof t === 'string' ? parseTileCoord(t) : t)))];
  const perRequest = Math.min(MAX_BATCH_TILES, Math.max(1, options.tilesPerRequest ?? MAX_BATCH_TILES));
  const chunks: string[][] = [];
  for (let at = 0; at < keys.length; at += perRequest) chunks.push(keys.slice(at, at + perRequest));

  // Every requested key is in the answer, in request order, even when the server leaves one out.
  const result = new Map<string, Blob | null>(keys.map((k) => [k, null]));
  const limit = pLimit(Math.max(1, options.concurrency ?? 4));
  await limit.map(chunks, async (chunk) => {
    try {
      for (const [key, blob] of await loadChunk(datasetId, chunk, options)) if (result.has(key)) result.set(key, blob);
    } catch (error) {
      limit.clearQueue(); // the answer is a rejection now: send no more requests
      throw error;
    }
  });
  return result;
}

async function loadChunk(dataset: string, keys: string[], options: LoadViewportTilesOptions): Promise<Array<[string, Blob | null]>> {
  const binary = options.format === 'binary';
  const url = `${options.apiBase ?? '/api/tiles'}/${encodeURIComponent(dataset)}/batch`;
  const response = await (options.fetch ?? fetch)(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: binary ? BATCH_CONTENT_TYPE : 'application/json' },
    body: JSON.stringify({ tiles: keys }),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (!response.ok) throw await batchError(response, dataset);

  if (binary) {
    if (!response.body) throw new TileError('UPSTREAM_ERROR', 'The batch response has no body.');
    const out: Array<[string, Blob | null]> = [];
    for await (const frame of readBatchStream(response.body)) {
      out.push([frame.key, frame.status === 200 ? new Blob([frame.body], { type: frame.contentType }) : null]);
    }
    return out;
  }
  const body = (await response.json()) as { tiles?: Record<string, string | null> };
  if (typeof body.tiles !== 'object' || body.tiles === null) {
    throw new TileError('UPSTREAM_ERROR', 'The batch response is not {"tiles": {...}}: is apiBase pointing at the companion?');
  }
  return Object.entries(body.tiles).map(([key, data]) => [
    key,
    typeof data === 'string' ? new Blob([fromBase64(data) as Uint8Array<ArrayBuffer>], { type: contentTypeFor(parseTileCoord(key).ext) }) : null,
  ]);
}

async function batchError(response: Response, dataset: string): Promise<TileError> {
  const body = (await response.json().catch(() => null)) as ErrorBody | null;
  const code = body?.error?.code ?? (response.status === 404 ? 'NOT_FOUND' : 'UPSTREAM_ERROR');
  const message = body?.error?.message ?? `The batch request for dataset "${dataset}" failed with HTTP ${response.status}.`;
  return new TileError(code, message);
}

/**
 * A tile as the worker keeps it, and the response it becomes. Each response
 * says where it came from (`X-Tile-Source`) and what it cost (`Server-Timing`:
 * time in the worker, and time waiting for the batch), so DevTools' Network
 * panel shows the accelerator at work.
 */
export type TileSource = 'memory' | 'idb' | 'batch' | 'network';

export interface StoredTile {
  body: Blob;
  contentType: string;
  etag: string;
  /** Date.now() when the tile was fetched or last revalidated (IndexedDB keeps it across restarts). */
  storedAt: number;
}

export interface Timing {
  /** performance.now() when the worker took the request. */
  started: number;
  /** Milliseconds spent waiting for a batch frame, if any. */
  batchWaitMs?: number;
}

export function tileResponse(tile: StoredTile, source: TileSource, timing: Timing, status = 200): Response {
  const headers = new Headers({
    'Content-Type': tile.contentType,
    'X-Tile-Source': source,
    'Server-Timing': serverTiming(source, timing),
    // Our tiers are the cache; a second copy in the HTTP cache would only cost space.
    'Cache-Control': 'no-store',
  });
  if (tile.etag) headers.set('ETag', tile.etag);
  return new Response(tile.body, { status, headers });
}

export function serverTiming(source: TileSource, { started, batchWaitMs }: Timing): string {
  const parts = [`sw;desc="${source}";dur=${(performance.now() - started).toFixed(2)}`];
  if (batchWaitMs !== undefined) parts.push(`batch-wait;dur=${batchWaitMs.toFixed(2)}`);
  return parts.join(', ');
}

/** Headers as `[name, value]` pairs (names lower-case, as Headers gives them). */
export function headerList(headers: Headers): Array<[string, string]> {
  const list: Array<[string, string]> = [];
  headers.forEach((value, name) => list.push([name, value]));
  return list;
}

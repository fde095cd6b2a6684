/**
 * Answers one tile request: from the memory tier when it can, else from the
 * network, keeping only complete 200 responses. Each response says where it
 * came from (`X-Tile-Source`) and what it cost (`Server-Timing`), so the
 * Network panel of DevTools shows the accelerator at work.
 */
import { ByteLru } from '../shared/byte-lru.ts';

export interface StoredTile {
  bytes: ArrayBuffer;
  contentType: string;
  etag: string;
}

export interface TileHandlerOptions {
  memoryMaxBytes?: number;
}

export type TileOrigin = 'memory' | 'network';

export class TileHandler {
  readonly memory: ByteLru<StoredTile>;

  constructor(options: TileHandlerOptions = {}) {
    this.memory = new ByteLru<StoredTile>({ maxBytes: options.memoryMaxBytes ?? 64 * 1024 * 1024, sizeOf: (t) => t.bytes.byteLength });
  }

  async handle(request: Request, _event: FetchEvent): Promise<Response> {
    const started = performance.now();
    const key = new URL(request.url).pathname;
    const cached = this.memory.get(key);
    if (cached) return respond(cached, 'memory', started);

    // no-store: the worker keeps its own tiers; the HTTP cache would hold a second copy.
    const response = await fetch(request.url, { cache: 'no-store', credentials: 'same-origin', signal: request.signal });
    if (response.status !== 200) return response;
    const tile: StoredTile = {
      bytes: await response.arrayBuffer(),
      contentType: response.headers.get('Content-Type') ?? 'application/octet-stream',
      etag: response.headers.get('ETag') ?? '',
    };
    this.memory.set(key, tile);
    return respond(tile, 'network', started);
  }
}

function respond(tile: StoredTile, origin: TileOrigin, started: number): Response {
  const headers = new Headers({
    'Content-Type': tile.contentType,
    'X-Tile-Source': origin,
    'Server-Timing': `sw;desc="${origin}";dur=${(performance.now() - started).toFixed(2)}`,
  });
  if (tile.etag) headers.set('ETag', tile.etag);
  return new Response(tile.bytes, { status: 200, headers });
}

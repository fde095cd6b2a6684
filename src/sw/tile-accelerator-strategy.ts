/**
 * The Workbox strategy for tile requests: memory, then IndexedDB, then the
 * network, by batch when batching works and one by one when it does not.
 * Export it to compose your own routes:
 *
 *   registerRoute(({ url }) => matchTilePath(url.pathname) !== null, new TileAcceleratorStrategy());
 *
 * A request may carry `X-Tile-Priority: prefetch` to queue behind visible tiles.
 */
import { Strategy, type StrategyHandler, type StrategyOptions } from 'workbox-strategies';
import { isTileError } from '../shared/errors.ts';
import type { Priority } from '../shared/batch-queue.ts';
import { cacheKey, formatTileCoord, matchTilePath } from '../shared/tile-key.ts';
import { Accelerator, frameTile } from './accelerator.ts';
import type { AcceleratorOptions } from './options.ts';
import { isStorable, serverTiming, tileResponse, type StoredTile, type TileSource, type Timing } from './stored-tile.ts';

export interface TileAcceleratorStrategyOptions extends StrategyOptions {
  /** Share one accelerator between routes; by default each strategy makes its own. */
  accelerator?: Accelerator;
  accelerated?: Partial<AcceleratorOptions>;
}

export class TileAcceleratorStrategy extends Strategy {
  readonly accelerator: Accelerator;

  constructor(options: TileAcceleratorStrategyOptions = {}) {
    super(options);
    this.accelerator = options.accelerator ?? new Accelerator(options.accelerated);
  }

  protected override async _handle(request: Request, handler: StrategyHandler): Promise<Response> {
    const timing: Timing = { started: performance.now() };
    const acc = this.accelerator;
    acc.stats.requests += 1;
    const tile = matchTilePath(new URL(request.url).pathname, acc.options.apiPrefix);
    if (!tile) return handler.fetch(request);
    const version = await acc.versions.version(tile.dataset);
    const key = version === undefined ? undefined : cacheKey(tile.dataset, version, tile);

    if (key) {
      const inMemory = acc.memory.get(key);
      if (inMemory) return this.#answer(inMemory, 'memory', timing);
      const stored = await acc.idb.get(key);
      if (stored) {
        acc.memory.set(key, stored);
        return this.#answer(stored, 'idb', timing);
      }
      // The tile may have landed while IndexedDB was looking: asking again would fetch it twice.
      const landed = acc.memory.get(key);
      if (landed) return this.#answer(landed, 'memory', timing);
    }

    if (acc.batching) {
      const waitStart = performance.now();
      try {
        const priority: Priority = request.headers.get('X-Tile-Priority') === 'prefetch' ? 'prefetch' : 'visible';
        const { frame, done } = await acc.batch.request(tile.dataset, formatTileCoord(tile), { signal: request.signal, priority });
        handler.waitUntil(done);
        // A missing tile is an answer; a tile the companion failed to read gets a second chance below.
        if (frame.status === 200 || frame.status === 404) {
          return this.#answer(frameTile(frame), 'batch', { ...timing, batchWaitMs: performance.now() - waitStart }, frame.status);
        }
      } catch (error) {
        if (request.signal.aborted || !isTileError(error)) throw error;
      }
      acc.stats.fallbacks += 1;
    } else if (acc.options.batching) {
      acc.stats.fallbacks += 1;
    }
    return this.#fromNetwork(request, handler, key, timing);
  }

  async #fromNetwork(request: Request, handler: StrategyHandler, key: string | undefined, timing: Timing): Promise<Response> {
    const acc = this.accelerator;
    // no-store: the worker keeps its own tiers; the HTTP cache would hold a second copy.
    const response = await handler.fetch(new Request(request.url, { cache: 'no-store', credentials: 'same-origin', signal: request.signal }));
    const headers = new Headers(response.headers);
    headers.set('X-Tile-Source', 'network');
    headers.set('Server-Timing', serverTiming('network', timing));
    if (response.status !== 200) {
      acc.stats.errors += 1;
      return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
    }
    const body = await response.blob();
    const tile: StoredTile = { body, contentType: response.headers.get('Content-Type') ?? 'application/octet-stream', etag: response.headers.get('ETag') ?? '' };
    const declared = response.headers.has('Content-Encoding') ? null : response.headers.get('Content-Length');
    if (key && isStorable(response.status, body.size, declared)) {
      acc.memory.set(key, tile);
      handler.waitUntil(acc.idb.putMany([{ key, tile }]));
    }
    return this.#answer(tile, 'network', timing);
  }

  #answer(tile: StoredTile, source: TileSource, timing: Timing, status = 200): Response {
    const response = tileResponse(tile, source, timing, status);
    if (status === 200) this.accelerator.stats.served(source, tile.body.size, performance.now() - timing.started);
    else this.accelerator.stats.errors += 1;
    return response;
  }
}

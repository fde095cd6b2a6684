/**
 * The Workbox strategy for tile requests: memory, then IndexedDB, then the
 * upstream: by batch when the tile's source has a companion and batching
 * works, else the tile URL itself (bounded, deduplicated). Export it to
 * compose your own routes:
 *
 *   registerRoute(({ url }) => matchTilePath(url.pathname) !== null, new TileAcceleratorStrategy());
 *
 * The route's match callback may hand over the parsed tile (`TileMatch`, as
 * `registerTileAccelerator` does) so the URL is parsed once; otherwise the
 * strategy matches it itself. A request may carry `X-Tile-Priority: prefetch`
 * to queue behind visible tiles.
 */
import { Strategy, type StrategyHandler, type StrategyOptions } from 'workbox-strategies';
import { isTileError } from '../shared/errors.ts';
import type { Priority } from '../shared/batch-queue.ts';
import { Accelerator, frameIsTile, frameTile, type Upstream } from './accelerator.ts';
import type { AcceleratorOptions } from './options.ts';
import { tileResponse, serverTiming, type StoredTile, type TileSource, type Timing } from './stored-tile.ts';
import { isTileMatch, type TileIdentity } from './tile-identity.ts';

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
    let match = isTileMatch(handler.params) ? handler.params : acc.match(new URL(request.url));
    if (!match && !acc.sources.loaded) {
      // A restarted worker: the route let the request in before the registered sources were read.
      await acc.sources.ready;
      match = acc.match(new URL(request.url));
    }
    const id = match && (await acc.identify(match));
    if (!id) {
      acc.stats.passedThrough += 1;
      return handler.fetch(request);
    }
    acc.identities.set(request, id);
    const upstream = acc.upstreamOf(id, request);

    const found = await acc.store.lookup(id);
    if (found) {
      // The hit's last-access mark is written a little later; keep the worker alive for it.
      if (found.tier === 'idb') handler.waitUntil(acc.store.idb.touchesFlushed());
      if (acc.revalidates(id) && acc.revalidator.isStale(found.tile)) handler.waitUntil(acc.revalidator.revalidate(id, found.tile, upstream.direct));
      return this.#answer(found.tile, found.tier, timing);
    }

    if (upstream.batch && acc.batching) {
      const waitStart = performance.now();
      try {
        const priority: Priority = request.headers.get('X-Tile-Priority') === 'prefetch' ? 'prefetch' : 'visible';
        const { frame, done } = await acc.batch.request(id, upstream.batch, { signal: request.signal, priority });
        handler.waitUntil(done);
        // A missing tile is an answer; a tile the companion failed to read, or whose body is no
        // whole image of its type (tile-body.ts), gets a second chance below.
        if (frameIsTile(frame) || frame.status === 404) {
          return this.#answer(frameTile(frame), 'batch', { ...timing, batchWaitMs: performance.now() - waitStart }, frame.status);
        }
      } catch (error) {
        if (request.signal.aborted || !isTileError(error)) throw error;
      }
      acc.stats.fallbacks += 1;
    } else if (upstream.batch && acc.options.batching) {
      acc.stats.fallbacks += 1;
    }
    return this.#direct(request, handler, id, upstream, timing);
  }

  async #direct(request: Request, handler: StrategyHandler, id: TileIdentity, upstream: Upstream, timing: Timing): Promise<Response> {
    const acc = this.accelerator;
    let result;
    try {
      result = await acc.direct.request(id, upstream.direct);
    } catch (error) {
      // Unreadable by CORS, unreachable, or too many waiting: the page's own request, as if the worker were not there.
      if (request.signal.aborted) throw error;
      acc.stats.passedThrough += 1;
      return this.#passThrough(request, handler, id);
    }
    if (result.storable) {
      handler.waitUntil(acc.store.put(id, result.tile));
      return this.#answer(result.tile, 'network', timing);
    }
    acc.stats.errors += 1;
    if (isUpstreamFailure(result.status)) handler.waitUntil(acc.failed.add(id));
    if (result.status === 200) {
      // A 200 that is no whole image of its type (an HTML error page, empty, truncated): an upstream error, never a tile.
      return new Response(`The upstream answered ${id.url} with a body that is not a tile: ${result.problem ?? 'unreadable'}.`, {
        status: 502,
        headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Tile-Source': 'network', 'Server-Timing': serverTiming('network', timing), 'Cache-Control': 'no-store' },
      });
    }
    const headers = new Headers(result.headers);
    headers.set('X-Tile-Source', 'network');
    headers.set('Server-Timing', serverTiming('network', timing));
    return new Response(result.status === 304 || result.status === 204 ? null : result.tile.body, { status: result.status, statusText: result.statusText, headers });
  }

  /** The page's own request, as if the worker were not there; if that fails too, the tile is retried in the background. */
  async #passThrough(request: Request, handler: StrategyHandler, id: TileIdentity): Promise<Response> {
    try {
      const response = await handler.fetch(request);
      if (isUpstreamFailure(response.status)) handler.waitUntil(this.accelerator.failed.add(id));
      return response;
    } catch (error) {
      if (!request.signal.aborted) handler.waitUntil(this.accelerator.failed.add(id));
      throw error;
    }
  }

  #answer(tile: StoredTile, source: TileSource, timing: Timing, status = 200): Response {
    const response = tileResponse(tile, source, timing, status);
    if (status === 200) this.accelerator.stats.served(source, tile.body.size, performance.now() - timing.started);
    else this.accelerator.stats.errors += 1;
    return response;
  }
}

/** An answer that says the upstream is in trouble now (not that the tile is missing): worth a retry later. A 200 here is a body that was no tile. */
function isUpstreamFailure(status: number): boolean {
  return status === 200 || status === 408 || status === 429 || status >= 500;
}

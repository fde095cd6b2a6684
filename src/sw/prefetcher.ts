/**
 * The worker side of prefetch and drop-on-leave. Page messages (shared/
 * view-protocol.ts) say what each viewer shows:
 *  - every report drops queued visible tiles that left all views;
 *  - every report cancels that viewer's running prefetch (its still-pending
 *    tiles leave the queue; in-flight ones land in the caches anyway);
 *  - a settled report starts a new prefetch run from shared/prefetch-plan.ts,
 *    at `prefetch` priority in the worker's batch queue, so visible tiles
 *    always go out first (sources without a companion: the worker's bounded
 *    direct fetches). Tiles already in memory or IndexedDB cost nothing;
 *    fetched ones reach both tiers through the tile store.
 * Counts what it prefetched and how much of it a viewer later asked for.
 */
import type { WorkboxPlugin } from 'workbox-core/types.js';
import { planPrefetch, resolvePrefetchOptions, type PrefetchOptions } from '../shared/prefetch-plan.ts';
import { droppedMessage, parsePageMessage, type ViewState } from '../shared/view-protocol.ts';
import type { Accelerator } from './accelerator.ts';
import { PrefetchCounters, type PrefetchStats } from './prefetch-stats.ts';
import { ViewTracker } from './view-tracker.ts';

export interface PrefetcherOptions extends Partial<PrefetchOptions> {
  /** Prefetch requests waiting in the batch queue at once (default 24: small batches, so a visible tile never waits long for a slot). */
  concurrency?: number;
  /** Prefetched tile keys remembered to count later use (default 4096). */
  rememberTiles?: number;
  /** Longest wait for the view's own tiles to land before a run starts (default 3000 ms). */
  visibleWaitMs?: number;
}

export class Prefetcher {
  readonly options: PrefetchOptions;
  readonly views = new ViewTracker();
  readonly #acc: Accelerator;
  readonly #concurrency: number;
  readonly #visibleWaitMs: number;
  readonly #runs = new Map<string, AbortController>();
  readonly #stats: PrefetchCounters;

  /** Counts a page request for a tile prefetch brought in (Workbox plugin for the tile strategy). */
  readonly plugin: WorkboxPlugin = {
    handlerWillRespond: async ({ request, response }) => {
      const id = this.#acc.identities.get(request);
      if (id) this.#stats.requested(id.key);
      return response;
    },
  };

  constructor(accelerator: Accelerator, options: PrefetcherOptions | false = {}) {
    this.#acc = accelerator;
    this.options = resolvePrefetchOptions(options === false ? false : options);
    this.#concurrency = (options && options.concurrency) || 24;
    this.#visibleWaitMs = (options && options.visibleWaitMs) || 3000;
    this.#stats = new PrefetchCounters((options && options.rememberTiles) || 4096);
  }

  /**
   * Handles a page message if it is one of ours; the promise is for
   * `event.waitUntil` (a prefetch run keeps the worker alive until it ends).
   */
  handleMessage(data: unknown, clients?: Clients): Promise<void> | null {
    const message = parsePageMessage(data);
    if (!message) return null;
    if (message.type === 'viewer-closed') {
      this.views.forget(message.viewerId);
      this.#cancel(message.viewerId);
      return Promise.resolve();
    }
    const { view } = message;
    this.views.update(view);
    this.#cancel(view.viewerId);
    const dropped = this.#dropLeftView(view, clients);
    if (!view.settled || !view.prefetch || !this.options.enabled) return dropped;
    return Promise.all([dropped, this.#run(view)]).then(() => undefined);
  }

  snapshot(): PrefetchStats {
    return this.#stats.snapshot(this.#runs.size);
  }

  async #dropLeftView(view: ViewState, clients?: Clients): Promise<void> {
    // The URLs exactly as the page asked for them, query string included, so the page can match its failed tiles.
    const urls = this.#acc.batch.drop(this.views.leftView(view.dataset)).map((id) => id.url);
    this.#stats.droppedLeftView += urls.length;
    if (urls.length === 0 || !clients) return;
    // Pages make those tiles loadable again (OpenSeadragon marks a failed tile missing for good).
    for (const client of await clients.matchAll({ type: 'window' })) client.postMessage(droppedMessage(urls));
  }

  #cancel(viewerId: string): void {
    const run = this.#runs.get(viewerId);
    if (!run) return;
    this.#runs.delete(viewerId);
    this.#stats.cancelledRuns += 1;
    run.abort();
  }

  async #run(view: ViewState): Promise<void> {
    this.#stats.runs += 1;
    const controller = new AbortController();
    this.#runs.set(view.viewerId, controller);
    const { signal } = controller;
    try {
      await this.#fetchPlan(view, signal);
    } finally {
      if (this.#runs.get(view.viewerId) === controller) this.#runs.delete(view.viewerId);
    }
  }

  async #fetchPlan(view: ViewState, signal: AbortSignal): Promise<void> {
    const acc = this.#acc;
    await acc.batch.visibleSettled(signal, this.#visibleWaitMs);
    if (signal.aborted) return;
    const { meanTileBytes } = this.#stats;
    const plan = planPrefetch({ info: view.info, rect: view.rect, level: view.level, ...(meanTileBytes ? { meanTileBytes } : {}) }, this.options);
    this.#stats.planned += plan.length;
    let next = 0;
    let bytes = 0;
    const writes: Array<Promise<void>> = [];
    const lane = async (): Promise<void> => {
      while (next < plan.length && !signal.aborted && bytes < this.options.maxBytes) {
        const tile = plan[next]!;
        next += 1;
        const id = await acc.identityOf(view.dataset, { level: tile.z, x: tile.x, y: tile.y }, view.info.format);
        if (!id) return; // the source's version is unknown: nothing could be stored
        if (await acc.store.lookup(id)) {
          this.#stats.alreadyCached += 1;
          continue;
        }
        const upstream = acc.upstreamOf(id);
        // A failed batch makes the worker back off from batching; prefetch stops with it.
        if (upstream.batch && !acc.batching) return;
        try {
          let size: number;
          if (upstream.batch) {
            const { frame, done } = await acc.batch.request(id, upstream.batch, { priority: 'prefetch', signal });
            if (frame.status !== 200) continue;
            size = frame.body.length;
            writes.push(done);
          } else {
            const result = await acc.direct.request(id, upstream.direct, 'prefetch');
            if (!result.storable) continue;
            size = result.tile.body.size;
            writes.push(acc.store.put(id, result.tile));
          }
          bytes += size;
          this.#stats.fetched(id.key, size);
        } catch {
          // Cancelled (the view moved) or the upstream failed: a prefetch is never worth a retry.
          if (signal.aborted) return;
        }
      }
    };
    await Promise.all(Array.from({ length: this.#concurrency }, lane));
    await Promise.all(writes);
  }
}

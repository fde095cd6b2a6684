/**
 * `tile-accelerator/sw`: what a service worker author composes. The worker's
 * internals (its tiers, the batch client, the prefetcher) are not part of the
 * package's surface and may change in any release. docs/drop-in.md has the
 * recipes; docs/worker.md every option.
 *
 * The docs live here, on the public names, so the modules behind them can be
 * reworked without touching the surface.
 */
import { matchTilePath as matchTile } from '../shared/dataset-path.ts';
import type { PrefetchOptions as PlanOptions } from '../shared/prefetch-plan.ts';
import type { PrefetchStats as Prefetch, WorkerReport as Report, WorkerStatsSnapshot as Snapshot } from '../shared/worker-report.ts';
import type { AcceleratorOptions as Options } from './options.ts';
import type { PrefetcherOptions as PrefetcherTuning } from './prefetcher.ts';
import {
  registerTileAccelerator as register,
  type RegisteredTileAccelerator as Registered,
  type RegisterTileAcceleratorOptions as RegisterOptions,
} from './register-tile-accelerator.ts';
import type { ConfiguredSource as Configured, Unaccelerated as Refused } from './configured-sources.ts';
import { TileAcceleratorStrategy as Strategy, type TileAcceleratorStrategyOptions as StrategyOptions } from './tile-accelerator-strategy.ts';

/**
 * Adds the accelerator to this service worker (Workbox or not): routes for
 * tile URLs (`{apiPrefix}{dataset}/{z}/{x}/{y}.{ext}`, same origin), for
 * dataset info (to learn each dataset's version), for
 * `/__tile-accelerator/stats|clear`, and a message listener for the page's
 * view reports (prefetch, drop-on-leave) and control messages. Routes the
 * host registered earlier win: call it before a catch-all route.
 *
 * @example
 * /// <reference lib="webworker" />
 * import { registerTileAccelerator } from 'tile-accelerator/sw';
 * declare const self: ServiceWorkerGlobalScope;
 *
 * self.addEventListener('install', () => void self.skipWaiting());
 * self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
 * registerTileAccelerator({ memoryMaxBytes: 64 * 1024 * 1024, prefetch: { levelsOut: 0 } });
 */
export const registerTileAccelerator: typeof register = register;

/**
 * Options of `registerTileAccelerator`: any `AcceleratorOptions` (omitted ones
 * take their defaults), `prefetch` (tuning, or `false` for none) and
 * `control` (`false`: no `/__tile-accelerator/` endpoints or control messages).
 *
 * @example
 * const options: RegisterTileAcceleratorOptions = { apiPrefix: '/tiles/', prefetch: false, control: false };
 * registerTileAccelerator(options);
 */
export type RegisterTileAcceleratorOptions = RegisterOptions;

/**
 * What `registerTileAccelerator` returns: the tile strategy it routes to, to
 * reuse in routes of your own.
 *
 * @example
 * const { strategy } = registerTileAccelerator();
 * registerRoute(({ url }) => url.pathname.startsWith('/legacy-tiles/'), strategy);
 */
export type RegisteredTileAccelerator = Registered;

/**
 * The Workbox strategy behind the tile route: memory, then IndexedDB, then
 * the network, in streamed batches when batching works and one by one when it
 * does not. Each response carries `X-Tile-Source` and `Server-Timing`. A bare
 * strategy does no prefetch and no drop-on-leave (those need the view
 * messages `registerTileAccelerator` listens for).
 *
 * @example
 * import { registerRoute } from 'workbox-routing';
 * import { TileAcceleratorStrategy, matchTilePath } from 'tile-accelerator/sw';
 *
 * registerRoute(({ url }) => matchTilePath(url.pathname) !== null, new TileAcceleratorStrategy());
 */
export const TileAcceleratorStrategy = Strategy;
export type TileAcceleratorStrategy = Strategy;

/**
 * Options of `new TileAcceleratorStrategy()`: Workbox's `StrategyOptions`
 * (plugins, fetchOptions) and `accelerated`, the `AcceleratorOptions` to
 * change.
 *
 * @example
 * new TileAcceleratorStrategy({ accelerated: { memoryMaxBytes: 32 * 1024 * 1024, maxConcurrentBatches: 2 } });
 */
export type TileAcceleratorStrategyOptions = StrategyOptions;

/**
 * Every bound of the worker: memory and IndexedDB budgets (bytes), the batch
 * window (ms, tiles), batches in flight, back-off and stall times (ms), the
 * tile API prefix. Defaults and their measurements: docs/worker.md.
 *
 * @example
 * const bounds: Partial<AcceleratorOptions> = { idbMaxBytes: 256 * 1024 * 1024, window: { quietMs: 1, maxWaitMs: 30, maxTiles: 100 } };
 * registerTileAccelerator(bounds);
 */
export type AcceleratorOptions = Options;

/**
 * Prefetch tuning for `registerTileAccelerator({ prefetch })`: the plan
 * (`ringWidth`, `levelsIn`, `levelsOut`, `maxTiles`, `maxBytes`) and the run
 * (`concurrency`, `visibleWaitMs`, `rememberTiles`). See docs/prefetch.md.
 *
 * @example
 * registerTileAccelerator({ prefetch: { ringWidth: 2, levelsIn: 1, levelsOut: 0, maxTiles: 120 } });
 */
export type PrefetcherOptions = PrefetcherTuning;

/**
 * The prefetch plan's bounds alone (part of `PrefetcherOptions`).
 *
 * @example
 * const plan: Partial<PrefetchOptions> = { maxTiles: 60, maxBytes: 4 * 1024 * 1024 };
 * registerTileAccelerator({ prefetch: plan });
 */
export type PrefetchOptions = PlanOptions;

/**
 * The worker's stats report, as `GET /__tile-accelerator/stats` and the
 * `stats` control message answer it (versioned: src/shared/worker-report.ts).
 *
 * @example
 * const report = (await (await fetch('/__tile-accelerator/stats')).json()) as WorkerReport;
 * console.log(report.hits.memory, report.meanBatchSize, report.prefetch?.hitRate);
 */
export type WorkerReport = Report;

/**
 * The counters part of `WorkerReport`: requests, hits and bytes per tier,
 * batches, fallbacks, latency percentiles per tier (ms).
 *
 * @example
 * const { hitRate, batches }: WorkerStatsSnapshot = report;
 */
export type WorkerStatsSnapshot = Snapshot;

/**
 * The prefetch part of `WorkerReport` (`report.prefetch`): runs, tiles
 * fetched ahead and how many a viewer then used.
 *
 * @example
 * const p: PrefetchStats | undefined = report.prefetch;
 * if (p) console.log(`prefetch paid for ${Math.round(p.hitRate * 100)}% of its tiles`);
 */
export type PrefetchStats = Prefetch;

/**
 * Parses a tile URL path (`/api/tiles/{dataset}/{z}/{x}/{y}.{ext}` by
 * default, or under `apiPrefix`) into `{ dataset, z, x, y, ext }`, or null
 * when the path is not a tile: the route test for `TileAcceleratorStrategy`.
 *
 * @example
 * registerRoute(({ url }) => matchTilePath(url.pathname, '/tiles/') !== null, new TileAcceleratorStrategy({ accelerated: { apiPrefix: '/tiles/' } }));
 */
export const matchTilePath: typeof matchTile = matchTile;

/**
 * A tile source the worker accelerates without any page telling it about it
 * (`registerTileAccelerator({ sources })`): a descriptor URL (DZI, IIIF
 * info.json, Zoomify ImageProperties.xml) on any origin, optionally with the
 * companion that serves it in batches. See docs/drop-in.md.
 *
 * @example
 * registerTileAccelerator({ sources: ['https://images.example.org/scan.dzi', { descriptorUrl: 'https://iiif.example.org/page-1/info.json' }] });
 */
export type ConfiguredSource = Configured;

/**
 * A configured source the worker could not accelerate, and why (also logged).
 *
 * @example
 * const { configured } = registerTileAccelerator({ sources });
 * for (const u of (await configured).unaccelerated) console.warn(u.source, u.reason);
 */
export type Unaccelerated = Refused;

/**
 * What is compared, and under which conditions. A variant is a page URL and
 * whether the browser's HTTP cache is on; a mode is a transport and a latency
 * shape, with the variants and scenarios worth running under it (the full
 * cross product would not fit in ten minutes on two cores).
 */
import type { LatencyShape } from './latency.ts';
import type { ModeName, ScenarioName, VariantName } from './options.ts';

export interface Variant {
  name: VariantName;
  label: string;
  /** Path and query of the page, for one viewer or the comparison (two). */
  page(dataset: string, viewers: 1 | 2): string;
  /** Plain OpenSeadragon against an origin without cache headers: no HTTP cache. */
  httpCache: boolean;
  /** Whether it runs the comparison (two viewers) session too. */
  comparison: boolean;
  /**
   * The drop-in page on a DZI of another origin (`dziUrl`, a CORS host), when
   * this variant runs that scenario: plain OpenSeadragon with
   * `tileSources: '….dzi'`, and the same page plus `enableTileAccelerator`.
   */
  dziPage?(dziUrl: string): string;
}

const benchPage = (query: Record<string, string>) => `/bench/pages/bench.html?${new URLSearchParams(query)}`;

/** The OpenSeadragon settings the accelerator's README recommends (as the demo page uses). */
const RECOMMENDED = { maxTilesPerFrame: '50', imageLoaderLimit: '0' };

export const VARIANTS: Record<VariantName, Variant> = {
  plain: {
    name: 'plain',
    label: 'plain OSD',
    page: (dataset, viewers) => benchPage({ dataset, viewers: String(viewers) }),
    httpCache: false,
    comparison: true,
    dziPage: (tileSource) => benchPage({ tileSource }),
  },
  workbox: {
    name: 'workbox',
    label: 'Workbox CacheFirst',
    page: (dataset, viewers) => benchPage({ dataset, viewers: String(viewers), worker: 'workbox' }),
    httpCache: true,
    comparison: true,
  },
  tuned: {
    name: 'tuned',
    label: 'tuned OSD + HTTP cache',
    page: (dataset, viewers) => benchPage({ dataset, viewers: String(viewers), ...RECOMMENDED }),
    httpCache: true,
    comparison: true,
  },
  accelerator: {
    name: 'accelerator',
    label: 'accelerator, per-tile',
    // The demo page; it has one viewer, so the comparison uses the bench page
    // with the same worker and settings. Pinned to the per-tile worker path
    // (`pagebatch=off`) so the series stays comparable across runs; the demo's
    // default, page batching, is the `page-batch` variant.
    page: (dataset, viewers) =>
      viewers === 1
        ? `/?${new URLSearchParams({ dataset, drawer: 'canvas', pagebatch: 'off' })}`
        : benchPage({ dataset, viewers: '2', worker: 'accelerator', pagebatch: 'off', ...RECOMMENDED }),
    httpCache: true,
    comparison: true,
    // The same page as plain's, plus the worker and enableTileAccelerator(viewer)
    // with its defaults. There is no companion for a foreign DZI, so no page
    // batches either: the worker fetches each tile from the host itself.
    dziPage: (tileSource) => benchPage({ tileSource, worker: 'accelerator' }),
  },
  'no-prefetch': {
    name: 'no-prefetch',
    label: 'page batches, prefetch off',
    // Batching and tiers alone, on the default path (page batches): with
    // prefetch the "cold" zoom and pan are often prefetched already, which
    // hides what batching does by itself.
    page: (dataset) => `/?${new URLSearchParams({ dataset, drawer: 'canvas', prefetch: 'off', pagebatch: 'on' })}`,
    httpCache: true,
    comparison: false,
  },
  'page-batch': {
    name: 'page-batch',
    label: 'accelerator, page batches',
    // enableTileAccelerator's default: each view's tiles leave the page as one
    // streamed batch (src/client/page-batching.ts); the worker still prefetches.
    page: (dataset, viewers) =>
      viewers === 1
        ? `/?${new URLSearchParams({ dataset, drawer: 'canvas', pagebatch: 'on' })}`
        : benchPage({ dataset, viewers: '2', worker: 'accelerator', ...RECOMMENDED }),
    httpCache: true,
    comparison: true,
    // The drop-in with a companion: it serves the same DZI folder as dataset
    // "scan" (layout read from scan.dzi), so each view leaves the page as one
    // batch; with the README's viewer settings, or there is nothing to batch.
    dziPage: (tileSource) => benchPage({ tileSource, worker: 'accelerator', companion: 'scan', ...RECOMMENDED }),
  },
};

export interface Mode {
  name: ModeName;
  label: string;
  http2: boolean;
  shape: LatencyShape;
  variants: VariantName[];
  /** Steps of one browser session, in order (the `compare` steps run in a session of their own). */
  scenarios: ScenarioName[];
  /** Whether the Node floor is measured on this mode's tile sets. */
  floor: boolean;
}

export const MODES: Record<ModeName, Mode> = {
  h1: {
    name: 'h1',
    label: 'HTTP/1.1, fixed latency',
    http2: false,
    shape: 'fixed',
    variants: ['plain', 'workbox', 'tuned', 'accelerator', 'no-prefetch', 'page-batch'],
    scenarios: ['home', 'zoom', 'pan', 'tour', 'reload', 'warm-zoom', 'compare', 'compare-zoom', 'returning', 'dzi', 'dzi-zoom', 'dzi-reload'],
    floor: true,
  },
  h2: {
    name: 'h2',
    label: 'HTTP/2 to the companion, fixed latency',
    http2: true,
    shape: 'fixed',
    variants: ['tuned', 'accelerator', 'page-batch'],
    scenarios: ['home', 'zoom', 'pan', 'tour', 'reload', 'warm-zoom', 'returning'],
    floor: false,
  },
  spiky: {
    name: 'spiky',
    label: 'HTTP/1.1, spiky latency (jitter, 1-2 s spikes)',
    http2: false,
    shape: 'spiky',
    variants: ['tuned', 'accelerator'],
    scenarios: ['home', 'zoom'],
    floor: true,
  },
};

export const SCENARIO_LABELS: Record<ScenarioName, string> = {
  home: 'cold home view (incl. page start)',
  zoom: 'cold zoom in one level (2x)',
  pan: 'cold pan by half a viewport (down)',
  tour: 'tour of view changes (total)',
  reload: 'warm reload (home view)',
  'warm-zoom': 'warm zoom (2x, after reload)',
  compare: 'comparison: two viewers, cold home',
  'compare-zoom': 'comparison: two viewers, cold zoom 2x',
  returning: 'returning visitor, new image (cold home view; worker active, tiers hold another dataset)',
  dzi: 'drop-in: cold home view of a DZI on another origin (incl. page start)',
  'dzi-zoom': 'drop-in: cold zoom in one level (2x) on that DZI',
  'dzi-reload': 'drop-in: warm reload of that DZI',
};

/** The drop-in scenarios: a session of their own, on the DZI host (see dzi-pyramid.ts). */
export const DZI_SCENARIOS: ScenarioName[] = ['dzi', 'dzi-zoom', 'dzi-reload'];

export const WARM_SCENARIOS: ScenarioName[] = ['reload', 'warm-zoom', 'dzi-reload'];

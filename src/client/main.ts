/**
 * The demo page: one full-window OpenSeadragon viewer on a dataset of the
 * companion, accelerated by the service worker unless `?accelerator=off`.
 * URL options: `dataset`, `tileSource` (the URL of any `.dzi`, IIIF `info.json`
 * or Zoomify `ImageProperties.xml`, on any origin, opened by OpenSeadragon
 * itself and accelerated through enableTileAccelerator; `companion=NAME` says
 * the companion serves it as dataset NAME), `tileSourceJson` (an inline tile
 * source object, e.g. a DZI `{ Image: … }` without a descriptor fetch),
 * `tileTemplate` (a custom `getTileUrl` filling `{level}`, `{x}`, `{y}` of that
 * URL, with `width`, `height`, `tileSize`, `overlap`, optional `minLevel`, `maxLevel`),
 * `osd.ajaxHeader.NAME=value` (tiles loaded with Ajax, sending that header),
 * `accelerator=off`, `drawer` (canvas|webgl|auto),
 * `prefetch=off`, `compare=a,b` (side-by-side viewers, synchronised),
 * `stats=off` (no stats overlay), `offline=off` (no offline panel), `sw.*` (worker options), `osd.*` (viewer settings),
 * `pagebatch=off` (one request per tile through the worker; default on: each view's tiles as one batch from the page),
 * `pagebatch.decode=blob|bitmap`, `pagebatch.fix.<defect>=off` (tests: see osd-batch-workarounds.ts).
 */
import OpenSeadragon from 'openseadragon';
import { startComparison, type ComparisonPane } from './comparison.ts';
import { enableTileAccelerator, type TileAccelerator } from './enable-accelerator.ts';
import { OSD_BATCH_DEFECTS } from './osd-batch-workarounds.ts';
import type { PageBatchingOptions } from './page-batching.ts';
import { registerTileWorker, unregisterTileWorker } from './register-worker.ts';
import { mountOfflinePanel } from './offline-panel.ts';
import { mountStatsOverlay } from './stats-overlay.ts';
import { fetchDatasetInfo, tileApiSource } from './tile-source.ts';
import { zoomifySource } from './zoomify-source.ts';

const DATASETS = ['sample', 'mixed'];

/** What tests and curious developers can read from the console: `window.demo`. */
export interface DemoState {
  viewer: OpenSeadragon.Viewer | null;
  worker: string;
  tilesLoaded: number;
  /** Tiles OpenSeadragon gave up on (`tile-load-failed`), and the last one's message: the bench reports them. */
  tilesFailed: number;
  lastTileError?: string;
  fullyLoaded: boolean;
  /** Comparison mode: every pane (`viewer` and `fullyLoaded` above mean the first). */
  viewers?: ComparisonPane[];
  /** View reporting and dropped-tile recovery of the (first) viewer. */
  accelerator?: TileAccelerator;
}

declare global {
  interface Window {
    demo: DemoState;
  }
}

const params = new URLSearchParams(location.search);
const dataset = params.get('dataset') ?? 'sample';
const tileSourceUrl = params.get('tileSource');
const tileSourceJson = params.get('tileSourceJson');
const tileTemplate = params.get('tileTemplate');
const demo: DemoState = { viewer: null, worker: 'pending', tilesLoaded: 0, tilesFailed: 0, fullyLoaded: false };
window.demo = demo;

async function start(): Promise<void> {
  const compare = params.get('compare');
  // Ask for the dataset while the worker registers: on a first visit the two
  // round trips would otherwise add up before the first tile is requested.
  const info = compare || tileSourceUrl || tileSourceJson || tileTemplate ? undefined : fetchDatasetInfo(dataset);
  info?.catch(() => undefined); // awaited below; this only keeps an early reload from reporting it
  // `?sw=off`: no service worker, but the page side stays on (page batches go straight to the companion).
  const noWorker = params.get('sw') === 'off';
  if (params.get('accelerator') === 'off' || noWorker) {
    if (await unregisterTileWorker()) {
      location.reload();
      return;
    }
    demo.worker = noWorker ? 'none' : 'off';
  } else {
    demo.worker = await registerTileWorker({ scriptUrl: workerScriptUrl() });
  }
  document.querySelector('#mode')!.textContent = `accelerator: ${demo.worker}`;
  setupPicker();
  if (params.get('stats') !== 'off') mountStatsOverlay(document.body, { dataset });

  const drawer = params.get('drawer') ?? 'auto';
  const settings: Partial<OpenSeadragon.Options> = {
    showNavigationControl: false,
    // OSD starts one tile load per frame by default; a view of 40 tiles then
    // takes 40 frames even from a perfect cache. See README, "Viewer settings".
    // Measured in docs/worker.md; `?osd.maxTilesPerFrame=` and `?osd.imageLoaderLimit=` override for experiments.
    maxTilesPerFrame: numberParam('osd.maxTilesPerFrame', 50),
    imageLoaderLimit: numberParam('osd.imageLoaderLimit', 0),
    timeout: numberParam('osd.timeout', 30_000),
    tileRetryMax: numberParam('osd.tileRetryMax', 0),
    ...(drawer === 'auto' ? {} : { drawer: drawer as 'canvas' }),
    ...ajaxHeaders(),
  };
  const prefetch = params.get('prefetch') !== 'off';
  if (compare) {
    const panes = await startComparison(document.querySelector<HTMLElement>('#viewer')!, compare.split(',').slice(0, 4), {
      settings,
      prefetch,
      pageBatching: pageBatchingParam(),
      onFirstFullyLoaded: (fullyLoaded) => {
        demo.fullyLoaded = fullyLoaded;
        document.body.dataset.fullyLoaded = String(fullyLoaded);
      },
    });
    demo.viewers = panes;
    demo.viewer = panes[0]?.viewer ?? null;
    return;
  }
  const viewer = OpenSeadragon({
    ...settings,
    element: document.querySelector<HTMLElement>('#viewer')!,
    tileSources: (tileSourceJson ? JSON.parse(tileSourceJson) : tileSourceUrl ? await openedByUrl(tileSourceUrl) : tileTemplate ? templateSource(tileTemplate) : tileApiSource(dataset, await info!)) as OpenSeadragon.TileSourceOptions,
  });
  demo.viewer = viewer;
  viewer.addHandler('tile-loaded', () => {
    demo.tilesLoaded += 1;
  });
  viewer.addHandler('tile-load-failed', ({ message }) => {
    demo.tilesFailed += 1;
    demo.lastTileError = String(message);
  });
  viewer.world.addHandler('add-item', ({ item }) => {
    item.addHandler('fully-loaded-change', ({ fullyLoaded }) => {
      demo.fullyLoaded = fullyLoaded;
      document.body.dataset.fullyLoaded = String(fullyLoaded);
    });
  });
  if (demo.worker !== 'off') {
    const companion = params.get('companion');
    demo.accelerator = await enableTileAccelerator(viewer, {
      register: false,
      prefetch,
      pageBatching: pageBatchingParam(),
      ...(companion ? { companion: { apiBase: '/api/tiles', dataset: companion } } : {}),
    });
  }
  const { accelerator } = demo;
  if (accelerator && params.get('offline') !== 'off') {
    // Once the image is open and its source registered, the panel knows its levels (any source the accelerator handles).
    const mount = () => {
      const levels = accelerator.reporter.currentView(true)?.info;
      if (levels) mountOfflinePanel(document.querySelector<HTMLElement>('.toolbar')!, accelerator, { min: levels.minLevel, max: levels.maxLevel, current: () => accelerator.reporter.currentView(true)?.level ?? levels.minLevel });
    };
    if (viewer.world.getItemCount() > 0) mount();
    else viewer.addOnceHandler('open', () => void accelerator.settled().then(mount));
  }
}

/** A legacy custom tile source, as many existing pages have: inline geometry and a `getTileUrl` function. */
function templateSource(template: string): object {
  return {
    width: numberParam('width', 0),
    height: numberParam('height', 0),
    tileSize: numberParam('tileSize', 256),
    tileOverlap: numberParam('overlap', 0),
    ...(params.has('minLevel') ? { minLevel: numberParam('minLevel', 0) } : {}),
    ...(params.has('maxLevel') ? { maxLevel: numberParam('maxLevel', 0) } : {}),
    getTileUrl: (level: number, x: number, y: number) => template.replace('{level}', String(level)).replace('{x}', String(x)).replace('{y}', String(y)),
  };
}

/** What OpenSeadragon opens for `?tileSource=`: the URL itself (DZI, IIIF), or a Zoomify descriptor read into options. */
async function openedByUrl(url: string): Promise<string | object> {
  return /ImageProperties\.xml(\?|$)/i.test(url) ? zoomifySource(url) : url;
}

/** `?osd.ajaxHeader.Authorization=Bearer%20x`: tiles loaded with Ajax, with those headers (OpenSeadragon's ajaxHeaders). */
function ajaxHeaders(): Partial<OpenSeadragon.Options> {
  const headers: Record<string, string> = {};
  for (const [name, value] of params) if (name.startsWith('osd.ajaxHeader.')) headers[name.slice('osd.ajaxHeader.'.length)] = value;
  return Object.keys(headers).length ? { loadTilesWithAjax: true, ajaxHeaders: headers } : {};
}

function numberParam(name: string, fallback: number): number {
  const value = Number(params.get(name) ?? Number.NaN);
  return Number.isInteger(value) && value >= 0 ? value : fallback;
}

/** `?sw.idbMaxBytes=...` on the page becomes `/sw.js?idbMaxBytes=...`: worker options for tests and experiments. */
function workerScriptUrl(): string {
  const options = new URLSearchParams();
  for (const [name, value] of params) if (name.startsWith('sw.')) options.set(name.slice(3), value);
  return options.size ? `/sw.js?${options}` : '/sw.js';
}

function setupPicker(): void {
  const select = document.querySelector<HTMLSelectElement>('#dataset')!;
  for (const name of DATASETS) select.add(new Option(name, name, false, name === dataset));
  select.addEventListener('change', () => {
    params.set('dataset', select.value);
    location.search = params.toString();
  });
}

start().catch((error: unknown) => {
  console.error(error);
  document.querySelector('#viewer')!.textContent = error instanceof Error ? error.message : String(error);
});

/** Batches each view on the page unless `?pagebatch=off` (then one request per tile, through the worker). */
function pageBatchingParam(): PageBatchingOptions | false {
  if (params.get('pagebatch') === 'off') return false;
  const decode = params.get('pagebatch.decode');
  const workarounds = Object.fromEntries(OSD_BATCH_DEFECTS.map((name) => [name, params.get(`pagebatch.fix.${name}`) !== 'off']));
  return { workarounds, ...(decode === 'blob' || decode === 'bitmap' ? { decode } : {}) };
}

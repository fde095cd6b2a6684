/**
 * The bench's own page for the baseline variants: OpenSeadragon with exactly
 * the settings a URL names, and optionally a service worker. It exposes the
 * same `window.demo` and `body[data-fully-loaded]` as the demo page, so one
 * harness drives both.
 *
 * URL options (all optional):
 *   dataset=sample            which dataset of the companion
 *   tileSource=URL            instead: OpenSeadragon opens this descriptor itself (e.g. a `.dzi` on
 *                             another origin: the drop-in scenario), as `tileSources: URL`
 *   worker=none|workbox|accelerator   none (default), /workbox-sw.js or /sw.js
 *                             (accelerator: plus enableTileAccelerator on every viewer, as its README says)
 *   companion=NAME            with worker=accelerator and tileSource: the companion serves that
 *                             descriptor as dataset NAME (enableTileAccelerator's `companion` option)
 *   pagebatch=off             with worker=accelerator: no page-side batching (the per-tile worker path)
 *   maxTilesPerFrame=N        OpenSeadragon's default is 1
 *   imageLoaderLimit=N        OpenSeadragon's default is 0 (no limit)
 *   viewers=1|2               2: comparison mode, two viewers side by side on the same view
 *   drawer=canvas|webgl       canvas by default (no GPU on the bench machine)
 */
import OpenSeadragon from 'openseadragon';
import { enableTileAccelerator } from '../../src/client/enable-accelerator.ts';
import { registerTileWorker } from '../../src/client/register-worker.ts';
import { fetchDatasetInfo, tileApiSource } from '../../src/client/tile-source.ts';

interface BenchDemoState {
  viewer: OpenSeadragon.Viewer | null;
  viewers: OpenSeadragon.Viewer[];
  worker: string;
  tilesLoaded: number;
  /** Tiles OpenSeadragon gave up on, and the last one's message (the bench reports them). */
  tilesFailed: number;
  lastTileError?: string;
  fullyLoaded: boolean;
}

const WORKER_SCRIPTS: Record<string, string> = { workbox: '/workbox-sw.js', accelerator: '/sw.js' };

const params = new URLSearchParams(location.search);
const demo: BenchDemoState = { viewer: null, viewers: [], worker: 'none', tilesLoaded: 0, tilesFailed: 0, fullyLoaded: false };
(window as unknown as { demo: BenchDemoState }).demo = demo;

function numberParam(name: string): number | undefined {
  const value = params.get(name);
  return value === null ? undefined : Number(value);
}

async function start(): Promise<void> {
  const script = WORKER_SCRIPTS[params.get('worker') ?? 'none'];
  if (script) demo.worker = await registerTileWorker({ scriptUrl: script });

  const dataset = params.get('dataset') ?? 'sample';
  const tileSource = params.get('tileSource');
  const tileSources = tileSource ?? (tileApiSource(dataset, await fetchDatasetInfo(dataset)) as unknown as OpenSeadragon.TileSourceOptions);
  const maxTilesPerFrame = numberParam('maxTilesPerFrame');
  const imageLoaderLimit = numberParam('imageLoaderLimit');
  const count = params.get('viewers') === '2' ? 2 : 1;
  const loaded = new Array<boolean>(count).fill(false);

  for (let i = 0; i < count; i++) {
    const element = document.createElement('div');
    document.querySelector('#viewers')!.append(element);
    const viewer = OpenSeadragon({
      element,
      tileSources,
      showNavigationControl: false,
      drawer: (params.get('drawer') ?? 'canvas') as 'canvas',
      ...(maxTilesPerFrame === undefined ? {} : { maxTilesPerFrame }),
      ...(imageLoaderLimit === undefined ? {} : { imageLoaderLimit }),
    });
    viewer.addHandler('tile-loaded', () => {
      demo.tilesLoaded += 1;
    });
    viewer.addHandler('tile-load-failed', ({ message }) => {
      demo.tilesFailed += 1;
      demo.lastTileError = String(message);
    });
    viewer.world.addHandler('add-item', ({ item }) => {
      item.addHandler('fully-loaded-change', ({ fullyLoaded }) => {
        loaded[i] = fullyLoaded;
        demo.fullyLoaded = loaded.every(Boolean);
        document.body.dataset.fullyLoaded = String(demo.fullyLoaded);
      });
    });
    demo.viewers.push(viewer);
    if (params.get('worker') === 'accelerator') {
      const companion = params.get('companion');
      await enableTileAccelerator(viewer, {
        register: false,
        pageBatching: params.get('pagebatch') === 'off' ? false : {},
        ...(companion ? { companion: { apiBase: '/api/tiles', dataset: companion } } : {}),
      });
    }
  }
  demo.viewer = demo.viewers[0]!;
  // Comparison mode: the second viewer follows the first, as synced viewers do.
  const [lead, follower] = demo.viewers;
  if (lead && follower) {
    const follow = () => {
      follower.viewport.zoomTo(lead.viewport.getZoom(), undefined, true);
      follower.viewport.panTo(lead.viewport.getCenter(), true);
    };
    lead.addHandler('zoom', follow);
    lead.addHandler('pan', follow);
  }
}

start().catch((error: unknown) => {
  console.error(error);
  document.body.dataset.benchError = error instanceof Error ? error.message : String(error);
});

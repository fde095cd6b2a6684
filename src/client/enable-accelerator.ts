/**
 * The one call an existing OpenSeadragon page needs:
 *
 *   const accelerator = await enableTileAccelerator(viewer);
 *
 * registers the tile worker unless the page already has one (or says
 * `register: false` because its own worker includes the accelerator),
 * registers the tile source of every image in `viewer.world` (and of those
 * added later) with the worker, whatever origin its tiles come from, reports
 * the viewer's view to it (prefetch, dropping tiles that left the view) and
 * makes tiles the worker dropped loadable again. It never blocks the viewer:
 * without a worker, tiles load directly as before. A source that cannot be
 * accelerated is said out loud: `console.warn` and `unaccelerated`.
 *
 * It batches on the page (`pageBatching`, on unless `false`): each view's tiles of a
 * source the companion serves leave as one streamed batch request instead of
 * one request per tile (see page-batching.ts); a worker answers it from its tiers.
 */
import type OpenSeadragon from 'openseadragon';
import { matchTilePath } from '../shared/dataset-path.ts';
import type { CompanionTarget, Credentials, TileSourceSpec } from '../shared/tile-source-spec.ts';
import { DroppedTileRecovery } from './dropped-tiles.ts';
import { OfflineRegions } from './offline-regions.ts';
import { PageBatching, type PageBatchingOptions } from './page-batching.ts';
import { registerTileWorker, type WorkerOptions, type WorkerState } from './register-worker.ts';
import { registerSources } from './source-registration.ts';
import { absolute, specFromTileSource } from './tile-source-spec-from-osd.ts';
import { ViewReporter, type ViewReporterOptions } from './view-reporter.ts';

/**
 * Options of `enableTileAccelerator`: where the worker is (`scriptUrl`,
 * `scope`, `timeoutMs` for the first visit's wait), `register: false` when the
 * page registers its own worker, and the view reporting (`settleMs`,
 * `prefetch: false` for no prefetch around this viewer).
 *
 * @example
 * await enableTileAccelerator(viewer, { scriptUrl: '/sw.js', settleMs: 200, prefetch: false });
 */
export interface EnableTileAcceleratorOptions extends WorkerOptions, Omit<ViewReporterOptions, 'post' | 'sourceOf'> {
  /** False when the page registers its own worker (see `registerTileAccelerator` in `tile-accelerator/sw`). */
  register?: boolean;
  /**
   * The companion that serves a source by batches (`{ apiBase, dataset }`), for every
   * source or per source; without one the worker fetches the tile URLs itself.
   */
  companion?: CompanionTarget | ((source: OpenSeadragon.TileSource) => CompanionTarget | undefined);
  /** Longest wait for the worker to accept a source; its tiles wait that long at most (default 2000 ms). */
  registrationTimeoutMs?: number;
  /** Page-side batching through OpenSeadragon's batch hooks (default on; `false`: one request per tile, through the worker). */
  pageBatching?: PageBatchingOptions | false;
}

export interface UnacceleratedSource {
  /** The source's tile root or URL, as far as it can be named. */
  source: string;
  reason: string;
}

/**
 * What `enableTileAccelerator` answers: whether the worker controls the page,
 * and `disable()` to stop reporting the view.
 *
 * @example
 * const accelerator = await enableTileAccelerator(viewer);
 * if (accelerator.worker !== 'controlled') console.info('tiles load directly this time');
 * viewer.addHandler('destroy', () => accelerator.disable());
 */
export interface TileAccelerator {
  /** Whether the worker controls the page (tiles go through it). */
  worker: WorkerState | 'not-registered';
  reporter: ViewReporter;
  recovery: DroppedTileRecovery;
  /** Ids (tile roots) of the sources the worker accepted, growing as images are added. */
  sources: string[];
  /** Sources whose tiles load without the worker, and why; growing as images are added. */
  unaccelerated: UnacceleratedSource[];
  /** Settles once every image added so far is registered or refused. */
  settled(): Promise<void>;
  /** Page-side batching, or null when turned off. */
  batching: PageBatching | null;
  /** Stops reporting, registering and page batching; the worker stays registered. */
  disable(): void;
  /** Offline regions (see offline-regions.ts): pin an area and levels, list, delete, refresh. */
  regions: OfflineRegions;
  pinRegion: OfflineRegions['pinRegion'];
  listRegions: OfflineRegions['listRegions'];
  deleteRegion: OfflineRegions['deleteRegion'];
  refreshRegion: OfflineRegions['refreshRegion'];
}

/**
 * Accelerates one OpenSeadragon viewer: registers the tile worker (unless
 * `register: false`), reports the view to it, and makes tiles it dropped
 * loadable again. Never blocks the viewer: without a worker tiles load
 * directly. Set `maxTilesPerFrame: 50` on the viewer, or there is nothing to batch.
 *
 * @example
 * import OpenSeadragon from 'openseadragon';
 * import { enableTileAccelerator } from 'tile-accelerator/client';
 *
 * const viewer = OpenSeadragon({ element: document.getElementById('viewer')!, maxTilesPerFrame: 50, tileSources });
 * const accelerator = await enableTileAccelerator(viewer, { scriptUrl: '/sw.js' });
 */
export async function enableTileAccelerator(viewer: OpenSeadragon.Viewer, options: EnableTileAcceleratorOptions = {}): Promise<TileAccelerator> {
  // Before any await: the viewer's first view should already leave as a batch.
  const batching = options.pageBatching === false ? null : new PageBatching(viewer, options.pageBatching ?? {});
  const worker = options.register === false ? 'not-registered' : await registerWorker(options);
  const specs = new WeakMap<OpenSeadragon.TileSource, TileSourceSpec>();
  const reporter = new ViewReporter(viewer, { ...options, sourceOf: (source) => specs.get(source) });
  const recovery = new DroppedTileRecovery(viewer);
  const regions = new OfflineRegions(() => {
    const view = reporter.currentView(true);
    return view ? { source: view.dataset, rect: view.rect } : {};
  });
  const accelerator: TileAccelerator = {
    regions,
    pinRegion: (options) => regions.pinRegion(options),
    listRegions: () => regions.listRegions(),
    deleteRegion: (id) => regions.deleteRegion(id),
    refreshRegion: (id) => regions.refreshRegion(id),
    worker,
    reporter,
    recovery,
    sources: [],
    unaccelerated: [],
    batching,
    settled: () => Promise.all(pending).then(() => undefined),
    disable() {
      viewer.world.removeHandler('add-item', onAdd);
      batching?.dispose();
      reporter.dispose();
      recovery.dispose();
    },
  };
  const pending: Array<Promise<void>> = [];
  const add = (item: OpenSeadragon.TiledImage) => {
    pending.push(
      accelerateItem(item, options, accelerator, specs).catch((error: unknown) => refuse(accelerator, sourceName(item.source), `registration failed: ${String(error)}`)),
    );
  };
  const onAdd = ({ item }: { item: OpenSeadragon.TiledImage }) => add(item);
  viewer.world.addHandler('add-item', onAdd);
  for (let i = 0; i < viewer.world.getItemCount(); i += 1) add(viewer.world.getItemAt(i));
  await accelerator.settled();
  return accelerator;
}

function registerWorker(options: EnableTileAcceleratorOptions): Promise<WorkerState> {
  return registerTileWorker({
    ...(options.scriptUrl ? { scriptUrl: options.scriptUrl } : {}),
    ...(options.scope ? { scope: options.scope } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
}

/** Registers one image's tile source; its tiles wait (opacity 0: OpenSeadragon loads none) until the worker answers. */
async function accelerateItem(
  item: OpenSeadragon.TiledImage,
  options: EnableTileAcceleratorOptions,
  accelerator: TileAccelerator,
  specs: WeakMap<OpenSeadragon.TileSource, TileSourceSpec>,
): Promise<void> {
  const source = item.source;
  if (isOwnTileApi(source, options.apiPrefix)) return; // the project's own tile API: accelerated by the worker with no registration
  const companion = typeof options.companion === 'function' ? options.companion(source) : options.companion;
  const outcome = specFromTileSource(source, { credentials: credentialsOf(item), ...(companion ? { companion } : {}) });
  if ('reason' in outcome) return refuse(accelerator, sourceName(source), outcome.reason);
  const controlled = !!navigator.serviceWorker?.controller;
  const opacity = item.getOpacity();
  if (controlled) item.setOpacity(0);
  try {
    const [result] = await registerSources([outcome.spec], options.registrationTimeoutMs ?? 2000);
    if (result?.accepted) {
      specs.set(source, outcome.spec);
      accelerator.sources.push(outcome.spec.id);
      accelerator.reporter.refresh();
    } else refuse(accelerator, outcome.spec.id, result?.reason ?? 'the worker gave no answer');
  } finally {
    if (controlled && item.getOpacity() === 0) item.setOpacity(opacity);
  }
}

function refuse(accelerator: TileAccelerator, source: string, reason: string): void {
  accelerator.unaccelerated.push({ source, reason });
  console.warn(`tile-accelerator: tiles of ${source} are not accelerated: ${reason}`);
}

/** Cookies cross-origin only when the viewer asks for them (`ajaxWithCredentials`, `crossOriginPolicy: 'use-credentials'`). */
function credentialsOf(item: OpenSeadragon.TiledImage): Credentials {
  const i = item as unknown as { ajaxWithCredentials?: boolean; crossOriginPolicy?: string | false };
  return i.ajaxWithCredentials === true || i.crossOriginPolicy === 'use-credentials' ? 'include' : 'same-origin';
}

function isOwnTileApi(source: OpenSeadragon.TileSource, apiPrefix = '/api/tiles/'): boolean {
  const url = tileUrl(source);
  if (!url) return false;
  const parsed = new URL(url);
  return parsed.origin === location.origin && matchTilePath(parsed.pathname, apiPrefix) !== null;
}

function tileUrl(source: OpenSeadragon.TileSource): string | null {
  try {
    const url: unknown = source.getTileUrl(source.maxLevel, 0, 0);
    return typeof url === 'string' ? absolute(url) : null;
  } catch {
    return null;
  }
}

function sourceName(source: OpenSeadragon.TileSource): string {
  const s = source as unknown as { tilesUrl?: string; id?: string; url?: string | null };
  return s.tilesUrl ?? s.id ?? s.url ?? tileUrl(source) ?? 'an unnamed tile source';
}

/**
 * The one call an existing OpenSeadragon page needs:
 *
 *   const accelerator = await enableTileAccelerator(viewer);
 *
 * registers the tile worker unless the page already has one (or says
 * `register: false` because its own worker includes the accelerator), reports
 * the viewer's view to it (prefetch, dropping tiles that left the view) and
 * makes tiles the worker dropped loadable again. It never blocks the viewer:
 * without a worker, tiles load directly as before.
 */
import type OpenSeadragon from 'openseadragon';
import { DroppedTileRecovery } from './dropped-tiles.ts';
import { OfflineRegions } from './offline-regions.ts';
import { registerTileWorker, type WorkerOptions, type WorkerState } from './register-worker.ts';
import { ViewReporter, type ViewReporterOptions } from './view-reporter.ts';

export interface EnableTileAcceleratorOptions extends WorkerOptions, Omit<ViewReporterOptions, 'post'> {
  /** False when the page registers its own worker (see `registerTileAccelerator` in `tile-accelerator/sw`). */
  register?: boolean;
}

export interface TileAccelerator {
  /** Whether the worker controls the page (tiles go through it). */
  worker: WorkerState | 'not-registered';
  reporter: ViewReporter;
  recovery: DroppedTileRecovery;
  /** Stops reporting; the worker stays registered. */
  disable(): void;
  /** Offline regions (see offline-regions.ts): pin an area and levels, list, delete, refresh. */
  regions: OfflineRegions;
  pinRegion: OfflineRegions['pinRegion'];
  listRegions: OfflineRegions['listRegions'];
  deleteRegion: OfflineRegions['deleteRegion'];
  refreshRegion: OfflineRegions['refreshRegion'];
}

export async function enableTileAccelerator(viewer: OpenSeadragon.Viewer, options: EnableTileAcceleratorOptions = {}): Promise<TileAccelerator> {
  const worker =
    options.register === false
      ? 'not-registered'
      : await registerTileWorker({
          ...(options.scriptUrl ? { scriptUrl: options.scriptUrl } : {}),
          ...(options.scope ? { scope: options.scope } : {}),
          ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
        });
  const reporter = new ViewReporter(viewer, options);
  const recovery = new DroppedTileRecovery(viewer);
  const regions = new OfflineRegions(() => {
    const view = reporter.currentView(true);
    return view ? { source: view.dataset, rect: view.rect } : {};
  });
  return {
    regions,
    pinRegion: (options) => regions.pinRegion(options),
    listRegions: () => regions.listRegions(),
    deleteRegion: (id) => regions.deleteRegion(id),
    refreshRegion: (id) => regions.refreshRegion(id),
    worker,
    reporter,
    recovery,
    disable() {
      reporter.dispose();
      recovery.dispose();
    },
  };
}

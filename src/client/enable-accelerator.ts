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
import { registerTileWorker, type WorkerOptions, type WorkerState } from './register-worker.ts';
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
export interface EnableTileAcceleratorOptions extends WorkerOptions, Omit<ViewReporterOptions, 'post'> {
  /** False when the page registers its own worker (see `registerTileAccelerator` in `tile-accelerator/sw`). */
  register?: boolean;
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
  /** Stops reporting; the worker stays registered. */
  disable(): void;
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
  return {
    worker,
    reporter,
    recovery,
    disable() {
      reporter.dispose();
      recovery.dispose();
    },
  };
}

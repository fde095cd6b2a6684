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
 *
 * It also batches on the page (`pageBatching`, on by default): each view's
 * tiles of an accelerated source leave as one streamed batch request instead
 * of one request per tile (see page-batching.ts). `pageBatching: false` keeps
 * OpenSeadragon's per-tile loading (through the worker when it controls the page).
 */
import type OpenSeadragon from 'openseadragon';
import { DroppedTileRecovery } from './dropped-tiles.ts';
import { PageBatching, type PageBatchingOptions } from './page-batching.ts';
import { registerTileWorker, type WorkerOptions, type WorkerState } from './register-worker.ts';
import { ViewReporter, type ViewReporterOptions } from './view-reporter.ts';

export interface EnableTileAcceleratorOptions extends WorkerOptions, Omit<ViewReporterOptions, 'post'> {
  /** False when the page registers its own worker (see `registerTileAccelerator` in `tile-accelerator/sw`). */
  register?: boolean;
  /** Page-side batching through OpenSeadragon's batch hooks (default on); false for one request per tile. */
  pageBatching?: PageBatchingOptions | false;
}

export interface TileAccelerator {
  /** Whether the worker controls the page (tiles go through it). */
  worker: WorkerState | 'not-registered';
  reporter: ViewReporter;
  recovery: DroppedTileRecovery;
  /** Page-side batching, or null when turned off. */
  batching: PageBatching | null;
  /** Stops reporting and page batching; the worker stays registered. */
  disable(): void;
}

export async function enableTileAccelerator(viewer: OpenSeadragon.Viewer, options: EnableTileAcceleratorOptions = {}): Promise<TileAccelerator> {
  // Before any await: the viewer's first view should already leave as a batch.
  const batching = options.pageBatching === false ? null : new PageBatching(viewer, options.pageBatching ?? {});
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
    batching,
    disable() {
      batching?.dispose();
      reporter.dispose();
      recovery.dispose();
    },
  };
}

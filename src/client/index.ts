/**
 * `tile-accelerator/client`: what a page author calls. The page's internals
 * (the view reporter, dropped-tile recovery, the demo) are not part of the
 * package's surface. docs/drop-in.md has the recipes.
 */
import { TileError as Failure, type ErrorCode as Code } from '../shared/errors.ts';

export { enableTileAccelerator, type EnableTileAcceleratorOptions, type TileAccelerator, type UnacceleratedSource } from './enable-accelerator.ts';
export type { CompanionTarget } from '../shared/tile-source-spec.ts';
export { loadViewportTiles, type LoadViewportTilesOptions, type TileRequest } from './load-viewport-tiles.ts';
export { registerTileWorker, unregisterTileWorker, type WorkerOptions, type WorkerState } from './register-worker.ts';
export { requestWorkerReport, type RequestWorkerReportOptions } from './worker-report.ts';
export type { PrefetchStats, WorkerReport, WorkerStatsSnapshot } from '../shared/worker-report.ts';

/**
 * The error `loadViewportTiles` rejects with: `code` (e.g. `NOT_FOUND`,
 * `TOO_MANY_TILES`, `UPSTREAM_TIMEOUT`), its HTTP `status`, and a message that
 * says what to fix, as the companion sent them.
 *
 * @example
 * try {
 *   await loadViewportTiles('no-such-dataset', ['0/0/0.jpg']);
 * } catch (error) {
 *   if (error instanceof TileError && error.code === 'NOT_FOUND') showMissing();
 * }
 */
export const TileError = Failure;
export type TileError = Failure;

/**
 * The codes a TileError carries, each with one HTTP status (400, 401, 403,
 * 404, 413, 502, 504, 500).
 *
 * @example
 * const retryable = (code: ErrorCode) => code === 'UPSTREAM_ERROR' || code === 'UPSTREAM_TIMEOUT';
 */
export type ErrorCode = Code;
export { OfflineRegions, type PinRegionOptions, type PendingRegion, type RegionHandle } from './offline-regions.ts';
export { RegionRefusedError, type RegionSummary, type RegionStatus, type StorageReport, type RefusalDetails } from '../shared/region-protocol.ts';
export type { RegionEstimate, LevelEstimate } from '../shared/region-plan.ts';

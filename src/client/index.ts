/**
 * `tile-accelerator/client`: the public entry for pages.
 * See docs/drop-in.md for copy-paste examples.
 */
export { enableTileAccelerator, type EnableTileAcceleratorOptions, type TileAccelerator, type UnacceleratedSource } from './enable-accelerator.ts';
export type { CompanionTarget } from '../shared/tile-source-spec.ts';
export { loadViewportTiles, type LoadViewportTilesOptions, type TileRequest } from './load-viewport-tiles.ts';
export { ViewReporter, type ViewReporterOptions } from './view-reporter.ts';
export { DroppedTileRecovery } from './dropped-tiles.ts';
export { registerTileWorker, unregisterTileWorker, type WorkerOptions, type WorkerState } from './register-worker.ts';
export { OfflineRegions, type PinRegionOptions, type PendingRegion, type RegionHandle } from './offline-regions.ts';
export { RegionRefusedError, type RegionSummary, type RegionStatus, type StorageReport, type RefusalDetails } from '../shared/region-protocol.ts';
export type { RegionEstimate, LevelEstimate } from '../shared/region-plan.ts';
export { TileError, type ErrorCode } from '../shared/errors.ts';

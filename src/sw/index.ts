/**
 * `tile-accelerator/sw`: the public entry for service workers.
 * See docs/drop-in.md for copy-paste examples.
 */
export { registerTileAccelerator, type RegisterTileAcceleratorOptions, type RegisteredTileAccelerator } from './register-tile-accelerator.ts';
export type { ConfiguredSource, Unaccelerated } from './configured-sources.ts';
export { TileAcceleratorStrategy, type TileAcceleratorStrategyOptions } from './tile-accelerator-strategy.ts';
export { Accelerator } from './accelerator.ts';
export { Prefetcher, type PrefetcherOptions } from './prefetcher.ts';
export type { PrefetchStats } from './prefetch-stats.ts';
export { DEFAULT_OPTIONS, type AcceleratorOptions } from './options.ts';
export { DEFAULT_PREFETCH_OPTIONS, type PrefetchOptions } from '../shared/prefetch-plan.ts';
export { matchTilePath } from '../shared/tile-key.ts';

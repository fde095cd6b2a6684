/**
 * Every bound of the worker, with its default, in one place. The demo can
 * override a few through the worker script's URL (`/sw.js?idbMaxBytes=...`),
 * which is how tests give it a tiny IndexedDB budget.
 */
import { WINDOW_DEFAULTS, type BatchWindowOptions } from '../shared/batch-window.ts';
import { DEFAULT_MAX_PENDING } from '../shared/batch-queue.ts';

const MiB = 1024 * 1024;

export interface AcceleratorOptions {
  /** Memory tier: bytes of tile bodies kept in the worker (default 64 MiB). */
  memoryMaxBytes: number;
  /** IndexedDB tier: hard cap in bytes (default 512 MiB) ... */
  idbMaxBytes: number;
  /** ... and at most this share of `navigator.storage.estimate().quota` (default 0.5). */
  idbQuotaShare: number;
  /** Last-access updates of IndexedDB hits are written together, this long after the first (default 2000 ms). */
  idbTouchFlushMs: number;
  window: Required<BatchWindowOptions>;
  /** Batches in flight at once, over all datasets (default 4: measured in docs/worker.md). */
  maxConcurrentBatches: number;
  /** Tiles waiting for a batch at most; beyond it tiles are fetched one by one. */
  maxPending: number;
  /** After a batch fails, tiles are fetched one by one for this long (default 30 s). */
  batchBackoffMs: number;
  /** A batch that delivers no frame for this long counts as failed (default 10 s). */
  batchStallMs: number;
  /** false: never batch (per-tile fetches only). */
  batching: boolean;
  /** Where the tile API lives on this origin. */
  apiPrefix: string;
  /** Tiles of sources without a companion: upstream fetches in flight at once (default 16). */
  directConcurrency: number;
  /**
   * Stored tiles of registered sources older than this are revalidated in the
   * background with a conditional request (default 10 min); see revalidator.ts.
   */
  revalidateAfterMs: number;
  /** The worker's own info and descriptor fetches give up after this (default 10 s); a page's info request then gets the stored info. */
  infoTimeoutMs: number;
  /** A per-tile fetch (fallback after a failed batch, sources without a companion, revalidation) gives up after this (default 20 s). */
  tileTimeoutMs: number;
  /**
   * Tiles that failed every way (batch and per-tile fetch) are retried after
   * each of these waits in turn (ms), and the pages told when one is back
   * (failed-tiles.ts); default 1, 2, 4, 8, 15 and 30 s: about a minute in all.
   */
  retryFailedMs: number[];
}

export const DEFAULT_OPTIONS: AcceleratorOptions = {
  memoryMaxBytes: 64 * MiB,
  idbMaxBytes: 512 * MiB,
  idbQuotaShare: 0.5,
  idbTouchFlushMs: 2000,
  window: { ...WINDOW_DEFAULTS },
  maxConcurrentBatches: 4,
  maxPending: DEFAULT_MAX_PENDING,
  batchBackoffMs: 30_000,
  batchStallMs: 10_000,
  batching: true,
  apiPrefix: '/api/tiles/',
  directConcurrency: 16,
  revalidateAfterMs: 10 * 60_000,
  infoTimeoutMs: 10_000,
  tileTimeoutMs: 20_000,
  retryFailedMs: [1000, 2000, 4000, 8000, 15_000, 30_000],
};

/** The options in effect: defaults for what is not given, every bound checked once, here. */
export function resolveAcceleratorOptions(options: Partial<AcceleratorOptions> = {}): AcceleratorOptions {
  const resolved: AcceleratorOptions = { ...DEFAULT_OPTIONS, ...options, window: { ...DEFAULT_OPTIONS.window, ...options.window } };
  const positive = ['memoryMaxBytes', 'idbMaxBytes', 'maxConcurrentBatches', 'maxPending', 'directConcurrency', 'infoTimeoutMs', 'tileTimeoutMs'] as const;
  for (const name of positive) {
    if (!Number.isInteger(resolved[name]) || resolved[name] < 1) throw new RangeError(`Worker option "${name}" must be a positive integer, got ${resolved[name]}.`);
  }
  for (const name of ['idbTouchFlushMs', 'batchBackoffMs', 'batchStallMs', 'revalidateAfterMs'] as const) {
    if (!(resolved[name] >= 0)) throw new RangeError(`Worker option "${name}" must be a non-negative number of ms, got ${resolved[name]}.`);
  }
  if (!Array.isArray(resolved.retryFailedMs) || resolved.retryFailedMs.length > 20 || !resolved.retryFailedMs.every((ms) => ms >= 0 && ms <= 600_000)) {
    throw new RangeError(`Worker option "retryFailedMs" must be at most 20 waits of 0 to 600000 ms, got ${JSON.stringify(resolved.retryFailedMs)}.`);
  }
  if (!resolved.apiPrefix.startsWith('/') || !resolved.apiPrefix.endsWith('/')) throw new RangeError(`Worker option "apiPrefix" must start and end with "/", got "${resolved.apiPrefix}".`);
  return resolved;
}

/** Options a page may set through the worker script URL; anything else there is ignored. */
export function optionsFromSearch(search: string): AcceleratorOptions {
  const params = new URLSearchParams(search);
  const num = (name: string, fallback: number, min = 0) => {
    const value = Number(params.get(name));
    return params.has(name) && Number.isFinite(value) && value >= min ? value : fallback;
  };
  const d = DEFAULT_OPTIONS;
  return {
    ...d,
    memoryMaxBytes: num('memoryMaxBytes', d.memoryMaxBytes, 1),
    idbMaxBytes: num('idbMaxBytes', d.idbMaxBytes, 1),
    window: {
      quietMs: num('quietMs', d.window.quietMs),
      maxWaitMs: num('maxWaitMs', d.window.maxWaitMs),
      maxTiles: Math.min(num('maxTiles', d.window.maxTiles, 1), d.window.maxTiles),
    },
    maxConcurrentBatches: num('maxConcurrentBatches', d.maxConcurrentBatches, 1),
    revalidateAfterMs: num('revalidateAfterMs', d.revalidateAfterMs),
    batching: params.get('batching') !== 'off',
  };
}

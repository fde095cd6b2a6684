/**
 * What the worker counts: requests, hits and bytes per tier, batches and
 * their mean size, fallbacks, IndexedDB trouble, and latency percentiles per
 * tier. Part of the worker report (src/shared/worker-report.ts) answered to
 * the `stats` control message and at `GET /__tile-accelerator/stats`; the
 * demo's overlay draws it.
 */
import { LatencySample } from '../shared/latency-sample.ts';
import type { WorkerStatsSnapshot } from '../shared/worker-report.ts';
import type { TileSource } from './stored-tile.ts';

const TIERS: readonly TileSource[] = ['memory', 'idb', 'batch', 'network'];

type PerTier<T> = Record<TileSource, T>;

/** The counters' part of the worker report (shape and meaning: src/shared/worker-report.ts). */
export type StatsSnapshot = WorkerStatsSnapshot;

const perTier = <T>(make: () => T): PerTier<T> => Object.fromEntries(TIERS.map((t) => [t, make()])) as PerTier<T>;

export class WorkerStats {
  requests = 0;
  batches = 0;
  batchTiles = 0;
  batchFailures = 0;
  joined = 0;
  fallbacks = 0;
  errors = 0;
  passedThrough = 0;
  idbErrors = 0;
  idbEvictions = 0;
  readonly #hits = perTier(() => 0);
  readonly #bytes = perTier(() => 0);
  readonly #latency = perTier(() => new LatencySample());

  served(source: TileSource, bytes: number, ms: number): void {
    this.#hits[source] += 1;
    this.#bytes[source] += bytes;
    this.#latency[source].add(ms);
  }

  snapshot(): StatsSnapshot {
    const answered = TIERS.reduce((n, t) => n + this.#hits[t], 0);
    const local = this.#hits.memory + this.#hits.idb;
    return {
      requests: this.requests,
      hits: { ...this.#hits },
      bytes: { ...this.#bytes },
      latencyMs: perTierFrom((t) => this.#latency[t].percentiles()),
      hitRate: answered ? local / answered : 0,
      bytesSaved: this.#bytes.memory + this.#bytes.idb,
      batches: this.batches,
      batchTiles: this.batchTiles,
      meanBatchSize: this.batches ? this.batchTiles / this.batches : 0,
      batchFailures: this.batchFailures,
      joined: this.joined,
      fallbacks: this.fallbacks,
      errors: this.errors,
      passedThrough: this.passedThrough,
      idbErrors: this.idbErrors,
      idbEvictions: this.idbEvictions,
    };
  }
}

function perTierFrom<T>(make: (tier: TileSource) => T): PerTier<T> {
  return Object.fromEntries(TIERS.map((t) => [t, make(t)])) as PerTier<T>;
}

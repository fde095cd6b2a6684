/**
 * Latency percentiles over the most recent samples: a fixed ring, so stats
 * cost the same memory after a million tiles as after ten, and follow the
 * upstream's current behaviour (R2 has good and bad minutes). The worker
 * reports tiers from it; the companion's hedge reads its p95.
 */
export interface Percentiles {
  count: number;
  p50: number;
  p90: number;
  p99: number;
}

export class LatencySample {
  readonly #ring: Float64Array;
  #next = 0;
  #filled = 0;

  /** Keeps the last `capacity` samples (default 1000). */
  constructor(capacity = 1000) {
    this.#ring = new Float64Array(Math.max(1, capacity));
  }

  add(ms: number): void {
    this.#ring[this.#next] = ms;
    this.#next = (this.#next + 1) % this.#ring.length;
    this.#filled = Math.min(this.#filled + 1, this.#ring.length);
  }

  get count(): number {
    return this.#filled;
  }

  /** The `q`-quantile (0..1) by nearest rank, or null with no samples. */
  percentile(q: number): number | null {
    if (this.#filled === 0) return null;
    const sorted = this.#ring.slice(0, this.#filled).sort(); // typed arrays sort numerically
    return sorted[Math.min(this.#filled - 1, Math.max(0, Math.ceil(q * this.#filled) - 1))]!;
  }

  /** p50/p90/p99 rounded to 0.01 ms; zeros when empty. */
  percentiles(): Percentiles {
    const at = (q: number) => round(this.percentile(q) ?? 0);
    return { count: this.#filled, p50: at(0.5), p90: at(0.9), p99: at(0.99) };
  }

  clear(): void {
    this.#next = 0;
    this.#filled = 0;
  }
}

const round = (ms: number) => Math.round(ms * 100) / 100;

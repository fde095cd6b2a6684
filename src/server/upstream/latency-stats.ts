/**
 * Recent upstream latencies in a fixed ring, so percentiles follow the
 * upstream's current behaviour (R2 has good and bad minutes) in bounded
 * memory. The hedge reads p95 from here; cache-stats reports p50/p95/p99.
 */
export interface LatencySummary {
  samples: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export class LatencyStats {
  readonly #ring: Float64Array;
  #next = 0;
  #count = 0;

  /** `capacity`: how many of the latest samples the percentiles cover. */
  constructor(capacity = 1024) {
    this.#ring = new Float64Array(Math.max(1, capacity));
  }

  record(ms: number): void {
    this.#ring[this.#next] = ms;
    this.#next = (this.#next + 1) % this.#ring.length;
    this.#count = Math.min(this.#count + 1, this.#ring.length);
  }

  get samples(): number {
    return this.#count;
  }

  /** The `p`-quantile (0..1) by nearest rank, or null with no samples. */
  percentile(p: number): number | null {
    if (this.#count === 0) return null;
    const sorted = this.#ring.slice(0, this.#count).sort();
    const rank = Math.min(this.#count - 1, Math.max(0, Math.ceil(p * this.#count) - 1));
    return sorted[rank]!;
  }

  summary(): LatencySummary {
    const round = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);
    return {
      samples: this.#count,
      p50: round(this.percentile(0.5)),
      p95: round(this.percentile(0.95)),
      p99: round(this.percentile(0.99)),
    };
  }
}

/**
 * Latency percentiles over the most recent samples: a fixed ring, so the
 * worker's stats cost the same memory after a million tiles as after ten.
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

  /** Nearest-rank percentiles of the kept samples; zeros when empty. */
  percentiles(): Percentiles {
    const sorted = Array.from(this.#ring.subarray(0, this.#filled)).sort((a, b) => a - b);
    const at = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : 0);
    return { count: sorted.length, p50: round(at(50)), p90: round(at(90)), p99: round(at(99)) };
  }

  clear(): void {
    this.#next = 0;
    this.#filled = 0;
  }
}

const round = (ms: number) => Math.round(ms * 100) / 100;

/**
 * The upstream's injected latency, as a pure function of (seed, run, key,
 * attempt). Keying the delay on the tile rather than on arrival order means
 * every variant of run i meets the same slow tiles, however its requests
 * interleave, so a spike lands on the same tile for the accelerator and for
 * plain OpenSeadragon. A repeated GET of one key (a retry, a hedge, a second
 * viewer) draws a fresh delay, as a new request to R2 would.
 */

export type LatencyShape = 'fixed' | 'spiky';

export interface LatencyOptions {
  /** Delay of a typical GET in milliseconds (R2-like: 100). */
  baseMs: number;
  /** `fixed`: every GET waits baseMs. `spiky`: jitter around baseMs plus rare 1-2 s spikes. */
  shape: LatencyShape;
  /** Fraction of GETs that spike (spiky only). */
  spikeProbability: number;
  /** Spike delay range in milliseconds (spiky only). */
  spikeMinMs: number;
  spikeMaxMs: number;
  /** Relative jitter: a GET waits baseMs * (1 ± jitter) (spiky only). */
  jitter: number;
  seed: number;
}

export const DEFAULT_LATENCY: LatencyOptions = {
  baseMs: 100,
  shape: 'fixed',
  spikeProbability: 0.03,
  spikeMinMs: 1000,
  spikeMaxMs: 2000,
  jitter: 0.3,
  seed: 8,
};

/** FNV-1a over the string: a stable 32-bit hash, enough to pick a delay. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: a tiny seeded PRNG; two draws per GET are all we need. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Milliseconds the upstream waits before answering this GET. */
export function latencyFor(options: LatencyOptions, run: number, key: string, attempt: number): number {
  if (options.shape === 'fixed') return options.baseMs;
  const random = mulberry32(hash32(`${options.seed}|${run}|${key}|${attempt}`));
  const spike = random();
  const jitter = random();
  if (spike < options.spikeProbability) {
    return Math.round(options.spikeMinMs + (options.spikeMaxMs - options.spikeMinMs) * jitter);
  }
  return Math.round(options.baseMs * (1 - options.jitter + 2 * options.jitter * jitter));
}

/**
 * The coalescing window: when to close the batch that requests are joining.
 *
 * OpenSeadragon asks for the tiles of a view over several macrotasks (one
 * fetch event each), so closing on the next macrotask sends 5-8 small
 * batches per view. Instead the window closes `quietMs` after the LAST
 * request (each arrival pushes it back), never later than `maxWaitMs` after
 * the first, and at once when `maxTiles` are waiting. Measured here, 1 ms
 * quiet / 30 ms cap makes one batch per view (docs/worker.md).
 * Pure: the clock is injected, so tests step it by hand.
 */
export interface WindowClock {
  /** Runs `fn` after `ms` (0: the next macrotask); returns a cancel function. */
  schedule(fn: () => void, ms: number): () => void;
  now(): number;
}

export interface BatchWindowOptions {
  /** Close this long after the last arrival; 0 closes on the next macrotask. Default 1 ms. */
  quietMs?: number;
  /** Close at the latest this long after the first arrival. Default 30 ms. */
  maxWaitMs?: number;
  /** Close at once when this many tiles wait. Default 100 (the batch limit). */
  maxTiles?: number;
}

export const WINDOW_DEFAULTS = { quietMs: 1, maxWaitMs: 30, maxTiles: 100 } as const;

export const timerClock: WindowClock = {
  schedule(fn, ms) {
    const id = setTimeout(fn, ms);
    return () => clearTimeout(id);
  },
  now: () => performance.now(),
};

export class BatchWindow {
  readonly quietMs: number;
  readonly maxWaitMs: number;
  readonly maxTiles: number;
  readonly #close: () => void;
  readonly #clock: WindowClock;
  #openedAt: number | null = null;
  #cancel: (() => void) | null = null;

  /** `close` is called once per window, when it closes. */
  constructor(close: () => void, options: BatchWindowOptions = {}, clock: WindowClock = timerClock) {
    this.quietMs = options.quietMs ?? WINDOW_DEFAULTS.quietMs;
    this.maxWaitMs = options.maxWaitMs ?? WINDOW_DEFAULTS.maxWaitMs;
    this.maxTiles = options.maxTiles ?? WINDOW_DEFAULTS.maxTiles;
    this.#close = close;
    this.#clock = clock;
  }

  get open(): boolean {
    return this.#openedAt !== null;
  }

  /** A request arrived; `waiting` is how many tiles now wait for the window to close. */
  arrive(waiting: number): void {
    const now = this.#clock.now();
    this.#openedAt ??= now;
    this.#cancel?.();
    this.#cancel = null;
    if (waiting >= this.maxTiles) return this.closeNow();
    const deadline = this.#openedAt + this.maxWaitMs;
    const delay = Math.max(0, Math.min(this.quietMs, deadline - now));
    this.#cancel = this.#clock.schedule(() => this.closeNow(), delay);
  }

  closeNow(): void {
    this.#cancel?.();
    this.#cancel = null;
    if (this.#openedAt === null) return;
    this.#openedAt = null;
    this.#close();
  }
}

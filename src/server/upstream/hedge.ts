/**
 * Hedged requests: when a GET runs past the upstream's observed p95, a second
 * identical GET starts and the first good answer wins (the other is aborted).
 * R2's occasional 1-2 s stalls then cost one extra Class B operation instead
 * of holding a whole view. Hedges are bounded: none until the latency stats
 * have enough samples (the caller's `delayMs` returns null), and at most
 * `maxInFlight` at once, so a uniformly slow upstream is not met with double load.
 */
export interface HedgeOptions {
  /** Latency (ms) after which to hedge; null means "do not hedge now". */
  delayMs: () => number | null;
  /** Hedges allowed to run at the same time (0 disables hedging). */
  maxInFlight: number;
  /** Asked just before a hedge starts (a shared retry budget); false skips this hedge. */
  mayHedge?: () => boolean;
}

/** Told when a hedge starts, and when the hedge (not the original) answers. */
export interface HedgeEvents {
  onHedge?: () => void;
  onHedgeWin?: () => void;
}

export class Hedger {
  #inFlight = 0;

  constructor(readonly options: HedgeOptions) {}

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Runs `attempt` (with its own abort signal), hedging it once if it is slow. */
  async run<T>(attempt: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal, events: HedgeEvents = {}): Promise<T> {
    if (signal?.aborted) throw signal.reason;
    const delay = this.options.maxInFlight > 0 ? this.options.delayMs() : null;
    const controllers: AbortController[] = [];
    const abortAll = () => controllers.forEach((c) => c.abort(signal?.reason));
    signal?.addEventListener('abort', abortAll, { once: true });
    let timer: ReturnType<typeof setTimeout> | undefined;
    let hedged = false;
    try {
      return await new Promise<T>((resolve, reject) => {
        let running = 0;
        let done = false;
        const launch = (index: number) => {
          const controller = new AbortController();
          controllers.push(controller);
          running += 1;
          attempt(controller.signal).then(
            (value) => {
              if (done) return;
              done = true;
              if (index === 1) events.onHedgeWin?.();
              resolve(value);
            },
            (error: unknown) => {
              running -= 1;
              // A failure settles the call only when no other attempt can still answer.
              if (!done && running === 0) {
                done = true;
                reject(error);
              }
            },
          );
        };
        launch(0);
        if (delay === null) return;
        timer = setTimeout(() => {
          if (done || signal?.aborted || this.#inFlight >= this.options.maxInFlight) return;
          if (this.options.mayHedge && !this.options.mayHedge()) return;
          hedged = true;
          this.#inFlight += 1;
          events.onHedge?.();
          launch(1);
        }, delay);
      });
    } finally {
      clearTimeout(timer);
      if (hedged) this.#inFlight -= 1;
      signal?.removeEventListener('abort', abortAll);
      // The loser (if any) is no longer wanted: free its connection.
      for (const c of controllers) c.abort(new DOMException('Another attempt answered first.', 'AbortError'));
    }
  }
}

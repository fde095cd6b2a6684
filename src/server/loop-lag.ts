/**
 * How far the Node event loop is behind, in ms, for admission control.
 *
 * Why it matters: libuv accepts one connection per loop turn, so a new
 * client waits in the kernel's accept queue behind every connection that
 * arrived before it, and each of those costs a whole turn. During a burst
 * (400 clients POSTing 100-tile batches), turns took 50-600 ms and a healthy
 * client's first byte came only after the burst, 12-17 s later, although the
 * request and stream caps were never reached (measured with strace: one
 * accept4 per epoll_pwait). Refusing new work while the loop lags makes each
 * turn cheap, so the queue drains and every client gets an answer (a tile or
 * a 503) in bounded time.
 *
 * A timer ticks every `sampleMs`; the lag is the largest delay of the last
 * `windowTicks` ticks, or the time since the last tick if that is already
 * longer (the turn now running is itself late). The largest, not the mean:
 * measured, a mean let the burst's heavy turns through and changed nothing.
 */
export class LoopLag {
  readonly #sampleMs: number;
  readonly #recent: number[];
  #next = 0;
  #lastTick = performance.now();
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(sampleMs = 20, windowTicks = 10) {
    this.#sampleMs = sampleMs;
    this.#recent = new Array<number>(windowTicks).fill(0);
  }

  start(): void {
    this.#lastTick = performance.now();
    this.#timer = setInterval(() => {
      const now = performance.now();
      this.#recent[this.#next] = Math.max(0, now - this.#lastTick - this.#sampleMs);
      this.#next = (this.#next + 1) % this.#recent.length;
      this.#lastTick = now;
    }, this.#sampleMs);
    // Never what keeps the process alive.
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** Current lag in ms (0 when the loop keeps up). */
  lagMs(): number {
    const running = performance.now() - this.#lastTick - this.#sampleMs;
    return Math.round(Math.max(running, ...this.#recent));
  }
}

/**
 * A circuit breaker in front of the tile store. After `failureThreshold`
 * upstream failures in a row (5xx, 429, timeouts, dropped connections) it
 * opens: no GET is sent and the companion serves what it has cached (tiles,
 * and the last good dataset info) for `cooldownMs`. Then one probe GET is let
 * through (half-open): an answer closes the breaker, a failure opens it again.
 * So a store that is down receives one GET per cooldown instead of every
 * viewer's misses. Pure: the clock is injected.
 */
export type BreakerState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the breaker (0 disables it). */
  failureThreshold: number;
  /** How long it stays open before one probe is allowed (ms). */
  cooldownMs: number;
  now?: () => number;
}

export interface BreakerReport {
  state: BreakerState;
  consecutiveFailures: number;
  /** Times it opened, and GETs it refused, since start. */
  opens: number;
  rejected: number;
  /** Ms until a probe is allowed, when open. */
  retryInMs: number | null;
}

export type BreakerOutcome = 'success' | 'failure' | 'neutral';

export class CircuitBreaker {
  readonly #options: CircuitBreakerOptions;
  readonly #now: () => number;
  #state: BreakerState = 'closed';
  #failures = 0;
  #openedAt = 0;
  #probing = false;
  #opens = 0;
  #rejected = 0;

  constructor(options: CircuitBreakerOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
  }

  get state(): BreakerState {
    if (this.#state === 'open' && this.#now() - this.#openedAt >= this.#options.cooldownMs) this.#state = 'half-open';
    return this.#state;
  }

  /** Whether a GET may be sent now; in half-open, only one (the probe) at a time. Counts refusals. */
  allow(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'half-open' && !this.#probing) {
      this.#probing = true;
      return true;
    }
    this.#rejected += 1;
    return false;
  }

  /** The outcome of a GET that `allow()` let through; "neutral" when the caller gave up (abort). */
  record(outcome: BreakerOutcome): void {
    const wasProbe = this.#state === 'half-open';
    if (wasProbe) this.#probing = false;
    if (outcome === 'success') {
      this.#state = 'closed';
      this.#failures = 0;
    } else if (outcome === 'failure') {
      this.#failures += 1;
      const threshold = this.#options.failureThreshold;
      if (wasProbe || (threshold > 0 && this.#state === 'closed' && this.#failures >= threshold)) this.#open();
    }
  }

  report(): BreakerReport {
    const state = this.state;
    const retryInMs = state === 'open' ? Math.max(0, Math.round(this.#options.cooldownMs - (this.#now() - this.#openedAt))) : null;
    return { state, consecutiveFailures: this.#failures, opens: this.#opens, rejected: this.#rejected, retryInMs };
  }

  #open(): void {
    this.#state = 'open';
    this.#openedAt = this.#now();
    this.#opens += 1;
  }
}

/**
 * A token bucket that every retry and hedge must draw from, across all
 * requests: per-request limits alone let a failing or slow store receive
 * (1 + retries + hedge) times the traffic exactly when it can least take it.
 * With the bucket, extra GETs beyond first attempts are at most `capacity`
 * at once plus `refillPerSecond` a second, whatever the load. The clock is
 * injected so tests step time by hand.
 */
export interface RetryBudgetOptions {
  /** Tokens when full: the burst of retries and hedges allowed at once. */
  capacity: number;
  /** Tokens added per second, up to `capacity`: the sustained retry and hedge rate. */
  refillPerSecond: number;
  now?: () => number;
}

export interface RetryBudgetReport {
  capacity: number;
  refillPerSecond: number;
  /** Tokens left now (whole ones). */
  available: number;
  /** Retries and hedges allowed, and refused for want of a token, since start. */
  spent: number;
  denied: number;
}

export class RetryBudget {
  readonly #options: RetryBudgetOptions;
  readonly #now: () => number;
  #tokens: number;
  #refilledAt: number;
  #spent = 0;
  #denied = 0;

  constructor(options: RetryBudgetOptions) {
    if (!(options.capacity >= 0) || !(options.refillPerSecond >= 0)) throw new RangeError('Retry budget capacity and refill must be >= 0.');
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
    this.#tokens = options.capacity;
    this.#refilledAt = this.#now();
  }

  /** Takes one token if there is one; false means "do not retry or hedge now". */
  tryTake(): boolean {
    this.#refill();
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      this.#spent += 1;
      return true;
    }
    this.#denied += 1;
    return false;
  }

  report(): RetryBudgetReport {
    this.#refill();
    const { capacity, refillPerSecond } = this.#options;
    return { capacity, refillPerSecond, available: Math.floor(this.#tokens), spent: this.#spent, denied: this.#denied };
  }

  #refill(): void {
    const now = this.#now();
    const elapsed = Math.max(0, now - this.#refilledAt) / 1000;
    this.#tokens = Math.min(this.#options.capacity, this.#tokens + elapsed * this.#options.refillPerSecond);
    this.#refilledAt = now;
  }
}

/**
 * Bounded retries with "full jitter" backoff: attempt n waits a random time in
 * [0, min(maxDelay, baseDelay * 2^n)), so twenty workers that failed together
 * do not come back together. Only errors the caller calls retryable are
 * retried; the last error is rethrown as is.
 */

export interface RetryOptions {
  /** Total tries, the first one included. */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { attempts: 5, baseDelayMs: 250, maxDelayMs: 8_000 };

export interface RetryHooks {
  readonly isRetryable: (error: unknown) => boolean;
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  readonly random?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function backoffDelay(options: RetryOptions, attempt: number, random: () => number): number {
  return Math.floor(random() * Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** attempt));
}

export async function withRetry<T>(options: RetryOptions, hooks: RetryHooks, task: () => Promise<T>): Promise<T> {
  const attempts = Math.max(1, Math.floor(options.attempts));
  const sleep = hooks.sleep ?? defaultSleep;
  for (let attempt = 0; ; attempt++) {
    try {
      return await task();
    } catch (error) {
      if (attempt + 1 >= attempts || !hooks.isRetryable(error)) throw error;
      const delay = backoffDelay(options, attempt, hooks.random ?? Math.random);
      hooks.onRetry?.(error, attempt + 1, delay);
      await sleep(delay);
    }
  }
}

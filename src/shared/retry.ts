/**
 * The project's one retry helper (the uploader's S3 PUTs and the companion's
 * upstream GETs both use it). Bounded attempts with "full jitter" backoff:
 * attempt n waits a random time in [0, min(maxDelay, baseDelay * 2^n)), so
 * twenty callers that failed together do not come back together. Only errors
 * the caller calls retryable are retried; the last error is rethrown as is.
 * A failure may ask for a longer wait (HTTP 429's Retry-After, via
 * `delayFor`), and a budget may refuse a retry (`mayRetry`). Sleep and
 * randomness are injectable so tests count attempts without waiting.
 */

export interface RetryPolicy {
  /** Total tries, the first one included (1 disables retrying). */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 250, maxDelayMs: 8_000 };

export interface RetryHooks {
  readonly isRetryable: (error: unknown) => boolean;
  /** A wait (ms) this failure asks for, e.g. Retry-After; the longer of it and the backoff is slept. */
  readonly delayFor?: (error: unknown) => number | undefined;
  /** Asked before each retry; false stops retrying and rethrows (a retry budget). */
  readonly mayRetry?: () => boolean;
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  readonly random?: () => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The jittered wait (ms) before retry number `attempt + 1` (attempt 0 is the first retry). */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number): number {
  return Math.floor(random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt));
}

/** Runs `task` until it succeeds, fails for good, the attempts run out, a budget says no, or `signal` aborts. */
export async function withRetry<T>(policy: RetryPolicy, hooks: RetryHooks, task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  const attempts = Math.max(1, Math.floor(policy.attempts));
  const sleep = hooks.sleep ?? abortableSleep;
  for (let attempt = 0; ; attempt++) {
    try {
      return await task();
    } catch (error) {
      if (attempt + 1 >= attempts || !hooks.isRetryable(error) || signal?.aborted) throw error;
      if (hooks.mayRetry && !hooks.mayRetry()) throw error;
      const delay = Math.max(backoffDelay(policy, attempt, hooks.random ?? Math.random), hooks.delayFor?.(error) ?? 0);
      hooks.onRetry?.(error, attempt + 1, delay);
      await sleep(delay, signal);
    }
  }
}

/**
 * Bounded retries with full-jitter exponential backoff. Only failures that a
 * second try can cure are retried (the upstream's 5xx, timeouts, dropped
 * connections: `UPSTREAM_ERROR` / `UPSTREAM_TIMEOUT` marked retryable); a 404
 * or a refused signature is an answer, not a hiccup. Sleep and randomness are
 * injected so tests count attempts without waiting.
 */
import { TileError } from '../../shared/errors.ts';

export interface RetryOptions {
  /** Extra attempts after the first (0 disables retrying). */
  retries: number;
  /** Backoff before retry n is random(0, min(maxDelayMs, baseDelayMs * 2^n)). */
  baseDelayMs: number;
  maxDelayMs: number;
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Told about each retry (for counters). */
  onRetry?: (attempt: number, error: unknown) => void;
}

/** Errors worth another attempt carry this flag (set where foreign errors are mapped). */
export class RetryableError extends TileError {}

export function isRetryable(error: unknown): boolean {
  return error instanceof RetryableError;
}

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

export function backoffMs(retry: number, options: RetryOptions): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** retry);
  return (options.random ?? Math.random)() * ceiling;
}

export async function withRetry<T>(attempt: () => Promise<T>, options: RetryOptions, signal?: AbortSignal): Promise<T> {
  const sleep = options.sleep ?? abortableSleep;
  for (let retry = 0; ; retry += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (retry >= options.retries || !isRetryable(error) || signal?.aborted) throw error;
      options.onRetry?.(retry + 1, error);
      await sleep(backoffMs(retry, options), signal);
    }
  }
}

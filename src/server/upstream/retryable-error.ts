/**
 * Which upstream failures a second try can cure: the store's 5xx and 429,
 * timeouts, dropped connections. They are mapped where foreign errors enter
 * (http-upstream.ts) to a RetryableError; a 404 or a refused signature is an
 * answer, not a hiccup, and stays a plain TileError. The retry loop itself is
 * the project's one helper, shared/retry.ts.
 */
import { TileError, type ErrorCode } from '../../shared/errors.ts';

export class RetryableError extends TileError {
  constructor(
    code: ErrorCode,
    message: string,
    options?: { cause?: unknown; retryAfterMs?: number | undefined },
  ) {
    super(code, message, options);
    this.retryAfterMs = options?.retryAfterMs;
  }

  /** How long the store asked us to wait (429/503 Retry-After), in ms. */
  readonly retryAfterMs: number | undefined;
}

export function isRetryable(error: unknown): boolean {
  return error instanceof RetryableError;
}

/** Retry-After (delta-seconds or an HTTP date) in ms from `now`, or undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

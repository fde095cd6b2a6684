/**
 * GETs objects from an HTTP object store (R2 through the S3 API or its public
 * URL) with a per-attempt timeout, hedging past p95, bounded retries, and
 * every foreign failure mapped to our codes here, at the boundary:
 * 404 -> absent (null), 401/403 -> UPSTREAM_ERROR (check credentials),
 * 5xx / reset / short body -> UPSTREAM_ERROR (retried), 429 -> UPSTREAM_ERROR
 * (retried after its Retry-After, when that is short enough), timeout ->
 * UPSTREAM_TIMEOUT (retried). Retries and hedges draw from one shared
 * budget; a circuit breaker stops GETs while the store keeps failing.
 * Object URLs appear in logs (`logFailure`) only: the messages that reach a
 * client name the object key's dataset, never the store's endpoint or bucket.
 */
import { TileError } from '../../shared/errors.ts';
import { withRetry } from '../../shared/retry.ts';
import { CircuitBreaker, type BreakerOutcome, type BreakerReport } from '../circuit-breaker.ts';
import { Hedger } from './hedge.ts';
import { RetryBudget, type RetryBudgetReport } from './retry-budget.ts';
import { isRetryable, parseRetryAfter, RetryableError } from './retryable-error.ts';
import { UpstreamMetrics, type UpstreamOutcome } from './upstream-metrics.ts';

export interface RetryOptions {
  /** Extra attempts after the first (0 disables retrying). */
  retries: number;
  /** Backoff before retry n is random(0, min(maxDelayMs, baseDelayMs * 2^n)). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A 429 or 503 asking to wait longer than this is not retried (ms). */
  maxRetryAfterMs?: number;
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** The store's health as cache-stats shows it. */
export interface UpstreamHealth {
  /** False while the breaker is not closed, i.e. while GETs are being refused or probed. */
  healthy: boolean;
  breaker: BreakerReport;
  retryBudget: RetryBudgetReport;
}

/** The slice of a fetch Response we use, so both undici's and the global fetch fit. */
export interface UpstreamResponse {
  status: number;
  headers: { get(name: string): string | null };
  arrayBuffer(): Promise<ArrayBuffer>;
  body: { cancel(reason?: unknown): Promise<void> } | null;
}

/**
 * A fetch marks a failure `notSent: true` when the GET never reached the store
 * (queued for a connection until aborted, or no connection could be made), so
 * it is not counted as a billed request.
 */
export function isNotSent(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { notSent?: unknown }).notSent === true;
}

export type UpstreamFetch = (
  url: string,
  init: { method: 'GET'; headers: Record<string, string>; signal: AbortSignal },
) => Promise<UpstreamResponse>;

export interface UpstreamObject {
  bytes: Uint8Array<ArrayBuffer>;
  contentType: string | null;
  etag: string | null;
}

export interface HttpUpstreamOptions {
  fetch: UpstreamFetch;
  /** Longest one GET (headers and body) may take before it counts as a timeout. */
  timeoutMs: number;
  retry: Omit<RetryOptions, 'onRetry'>;
  /** Hedges running at once (0 disables hedging). */
  maxHedgesInFlight: number;
  /** No hedging until this many latencies are known (p95 of a handful is noise). */
  hedgeMinSamples: number;
  /** Never hedge sooner than this, however fast p95 is. */
  hedgeMinDelayMs: number;
  /** Objects larger than this are refused (a tile is tens of KiB). */
  maxObjectBytes: number;
  /** Retries and hedges across all requests: a token bucket. */
  retryBudget: { capacity: number; refillPerSecond: number };
  /** Consecutive failures that open the breaker (0 disables it), and how long it stays open (ms). */
  breaker: { failureThreshold: number; cooldownMs: number };
  metrics?: UpstreamMetrics;
  /** Where failures are logged with their object URL (query strings removed); default console.warn. */
  logFailure?: (line: { url: string; message: string }) => void;
  now?: () => number;
}

export class HttpUpstream {
  readonly metrics: UpstreamMetrics;
  readonly #options: HttpUpstreamOptions;
  readonly #hedger: Hedger;
  readonly #budget: RetryBudget;
  readonly #breaker: CircuitBreaker;

  constructor(options: HttpUpstreamOptions) {
    this.#options = options;
    this.metrics = options.metrics ?? new UpstreamMetrics();
    const now = options.now ?? (() => performance.now());
    this.#budget = new RetryBudget({ ...options.retryBudget, now });
    this.#breaker = new CircuitBreaker({ ...options.breaker, now });
    this.#hedger = new Hedger({
      maxInFlight: options.maxHedgesInFlight,
      mayHedge: () => this.#budget.tryTake(),
      delayMs: () => {
        if (this.metrics.latency.count < options.hedgeMinSamples) return null;
        return Math.max(options.hedgeMinDelayMs, this.metrics.latency.percentile(0.95) ?? 0);
      },
    });
  }

  health(): UpstreamHealth {
    const breaker = this.#breaker.report();
    return { healthy: breaker.state === 'closed', breaker, retryBudget: this.#budget.report() };
  }

  /**
   * The object at `url`, or null when the store says it does not exist.
   * `dataset` labels the counters; `key` (the object key) names the object in
   * error messages, which never carry the URL.
   */
  async get(url: string, headers: Record<string, string>, dataset: string, signal?: AbortSignal, key?: string): Promise<UpstreamObject | null> {
    if (!this.#breaker.allow()) {
      const { retryInMs } = this.#breaker.report();
      throw new TileError(
        'UPSTREAM_UNAVAILABLE',
        `The tile store of dataset "${dataset}" is failing; the companion serves cached tiles only and asks it again in ${Math.ceil((retryInMs ?? 0) / 1000)} s.`,
      );
    }
    const events = {
      onHedge: () => this.metrics.count(dataset, 'hedges'),
      onHedgeWin: () => this.metrics.count(dataset, 'hedgeWins'),
    };
    const { retry } = this.#options;
    const maxRetryAfterMs = retry.maxRetryAfterMs ?? retry.maxDelayMs;
    try {
      return await withRetry(
        { attempts: retry.retries + 1, baseDelayMs: retry.baseDelayMs, maxDelayMs: retry.maxDelayMs },
        {
          isRetryable: (error) => isRetryable(error) && ((error as RetryableError).retryAfterMs ?? 0) <= maxRetryAfterMs,
          delayFor: (error) => (error as RetryableError).retryAfterMs,
          mayRetry: () => this.#breaker.state === 'closed' && this.#budget.tryTake(),
          onRetry: () => this.metrics.count(dataset, 'retries'),
          ...(retry.random ? { random: retry.random } : {}),
          ...(retry.sleep ? { sleep: retry.sleep } : {}),
        },
        () => this.#hedger.run((attemptSignal) => this.#once(url, headers, dataset, attemptSignal, key), signal, events),
        signal,
      );
    } catch (error) {
      if (error instanceof TileError) (this.#options.logFailure ?? logToConsole)({ url: redact(url), message: error.message });
      throw error;
    }
  }

  async #once(url: string, headers: Record<string, string>, dataset: string, signal: AbortSignal, key: string | undefined): Promise<UpstreamObject | null> {
    const timeout = AbortSignal.timeout(this.#options.timeoutMs);
    const combined = AbortSignal.any([signal, timeout]);
    const started = performance.now();
    let outcome: UpstreamOutcome = 'networkError';
    const what = key === undefined ? `an object of dataset "${dataset}"` : `object "${key}"`;
    try {
      const response = await this.#options.fetch(url, { method: 'GET', headers, signal: combined });
      if (response.status === 404) {
        outcome = 'notFound';
        await response.body?.cancel().catch(() => undefined);
        return null;
      }
      if (response.status !== 200) {
        await response.body?.cancel().catch(() => undefined);
        if (response.status === 401 || response.status === 403) {
          outcome = 'denied';
          throw new TileError('UPSTREAM_ERROR', `The tile store refused ${what} (${response.status}): check the credentials, bucket name and R2_PUBLIC_URL access.`);
        }
        const retryAfterMs = parseRetryAfter(response.headers.get('Retry-After'));
        if (response.status === 429) {
          outcome = 'throttled';
          throw new RetryableError('UPSTREAM_ERROR', `The tile store throttled ${what} (429${retryAfterMs === undefined ? '' : `, retry after ${Math.ceil(retryAfterMs / 1000)} s`}).`, { retryAfterMs });
        }
        outcome = 'serverError';
        if (response.status >= 500) throw new RetryableError('UPSTREAM_ERROR', `The tile store answered ${response.status} for ${what}.`, { retryAfterMs });
        throw new TileError('UPSTREAM_ERROR', `The tile store answered ${response.status} for ${what}.`);
      }
      const declared = response.headers.get('Content-Length');
      const length = declared === null ? null : Number(declared);
      if (length !== null && length > this.#options.maxObjectBytes) {
        await response.body?.cancel().catch(() => undefined);
        outcome = 'serverError';
        throw new TileError('UPSTREAM_ERROR', `${what} is ${length} bytes, over the ${this.#options.maxObjectBytes}-byte limit for one tile.`);
      }
      const bytes = new Uint8Array(await response.arrayBuffer());
      if (bytes.length > this.#options.maxObjectBytes) {
        outcome = 'serverError';
        throw new TileError('UPSTREAM_ERROR', `${what} is over the ${this.#options.maxObjectBytes}-byte limit for one tile.`);
      }
      if (length !== null && Number.isFinite(length) && bytes.length !== length) {
        outcome = 'networkError';
        throw new RetryableError('UPSTREAM_ERROR', `The tile store sent ${bytes.length} of the ${length} bytes of ${what}.`);
      }
      outcome = 'ok';
      return { bytes, contentType: response.headers.get('Content-Type'), etag: response.headers.get('ETag') };
    } catch (error) {
      if (error instanceof TileError) throw error;
      if (isNotSent(error)) outcome = 'notSent';
      if (timeout.aborted) {
        if (outcome !== 'notSent') outcome = 'timeout';
        throw new RetryableError('UPSTREAM_TIMEOUT', `The tile store did not answer ${what} within ${this.#options.timeoutMs} ms.`, { cause: error });
      }
      if (signal.aborted) {
        if (outcome !== 'notSent') outcome = 'aborted';
        throw error;
      }
      throw new RetryableError('UPSTREAM_ERROR', `Reading ${what} from the tile store failed (${describe(error)}).`, { cause: error });
    } finally {
      this.metrics.request(dataset, outcome, performance.now() - started);
      // A GET its caller gave up on (a client gone, a losing hedge), sent or still queued for a
      // connection, says nothing about the store: counting the queued ones as failures opened
      // the breaker on a healthy store when a fast pan aborted page batches (seen in the bench).
      const gaveUp = signal.aborted && !timeout.aborted && (outcome === 'notSent' || outcome === 'aborted');
      this.#breaker.record(gaveUp ? 'neutral' : breakerOutcome(outcome));
    }
  }
}

function breakerOutcome(outcome: UpstreamOutcome): BreakerOutcome {
  switch (outcome) {
    case 'ok':
    case 'notFound':
    case 'denied':
      return 'success';
    case 'serverError':
    case 'throttled':
    case 'timeout':
    case 'networkError':
    case 'notSent':
      return 'failure';
    case 'aborted':
      return 'neutral';
  }
}

function logToConsole(line: { url: string; message: string }): void {
  console.warn(JSON.stringify({ upstreamFailure: line }));
}

/** Never log a query string: presigned URLs carry credentials there. */
function redact(url: string): string {
  const at = url.indexOf('?');
  return at < 0 ? url : url.slice(0, at);
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string } })?.cause;
  return cause?.code ?? (error instanceof Error ? error.message : String(error));
}

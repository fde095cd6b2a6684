/**
 * GETs objects from an HTTP object store (R2 through the S3 API or its public
 * URL) with a per-attempt timeout, hedging past p95, bounded retries, and
 * every foreign failure mapped to our codes here, at the boundary:
 * 404 -> absent (null), 401/403 -> UPSTREAM_ERROR (check credentials),
 * 5xx / reset -> UPSTREAM_ERROR (retried), timeout -> UPSTREAM_TIMEOUT (retried).
 */
import { TileError } from '../../shared/errors.ts';
import { Hedger } from './hedge.ts';
import { RetryableError, withRetry, type RetryOptions } from './retry.ts';
import { UpstreamMetrics, type UpstreamOutcome } from './upstream-metrics.ts';

/** The slice of a fetch Response we use, so both undici's and the global fetch fit. */
export interface UpstreamResponse {
  status: number;
  headers: { get(name: string): string | null };
  arrayBuffer(): Promise<ArrayBuffer>;
  body: { cancel(reason?: unknown): Promise<void> } | null;
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
  metrics?: UpstreamMetrics;
}

export class HttpUpstream {
  readonly metrics: UpstreamMetrics;
  readonly #options: HttpUpstreamOptions;
  readonly #hedger: Hedger;

  constructor(options: HttpUpstreamOptions) {
    this.#options = options;
    this.metrics = options.metrics ?? new UpstreamMetrics();
    this.#hedger = new Hedger({
      maxInFlight: options.maxHedgesInFlight,
      delayMs: () => {
        if (this.metrics.latency.count < options.hedgeMinSamples) return null;
        return Math.max(options.hedgeMinDelayMs, this.metrics.latency.percentile(0.95) ?? 0);
      },
    });
  }

  /** The object at `url`, or null when the store says it does not exist. `dataset` labels the counters. */
  async get(url: string, headers: Record<string, string>, dataset: string, signal?: AbortSignal): Promise<UpstreamObject | null> {
    const events = {
      onHedge: () => this.metrics.count(dataset, 'hedges'),
      onHedgeWin: () => this.metrics.count(dataset, 'hedgeWins'),
    };
    return withRetry(
      () => this.#hedger.run((attemptSignal) => this.#once(url, headers, dataset, attemptSignal), signal, events),
      { ...this.#options.retry, onRetry: () => this.metrics.count(dataset, 'retries') },
      signal,
    );
  }

  async #once(url: string, headers: Record<string, string>, dataset: string, signal: AbortSignal): Promise<UpstreamObject | null> {
    const timeout = AbortSignal.timeout(this.#options.timeoutMs);
    const combined = AbortSignal.any([signal, timeout]);
    const started = performance.now();
    let outcome: UpstreamOutcome = 'networkError';
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
          throw new TileError('UPSTREAM_ERROR', `The tile store refused ${redact(url)} (${response.status}): check the credentials, bucket name and R2_PUBLIC_URL access.`);
        }
        outcome = 'serverError';
        const error = response.status >= 500 ? RetryableError : TileError;
        throw new error('UPSTREAM_ERROR', `The tile store answered ${response.status} for ${redact(url)}.`);
      }
      const length = Number(response.headers.get('Content-Length') ?? 0);
      if (length > this.#options.maxObjectBytes) {
        await response.body?.cancel().catch(() => undefined);
        outcome = 'serverError';
        throw new TileError('UPSTREAM_ERROR', `${redact(url)} is ${length} bytes, over the ${this.#options.maxObjectBytes}-byte limit for one tile.`);
      }
      const bytes = new Uint8Array(await response.arrayBuffer());
      if (bytes.length > this.#options.maxObjectBytes) {
        outcome = 'serverError';
        throw new TileError('UPSTREAM_ERROR', `${redact(url)} is over the ${this.#options.maxObjectBytes}-byte limit for one tile.`);
      }
      outcome = 'ok';
      return { bytes, contentType: response.headers.get('Content-Type'), etag: response.headers.get('ETag') };
    } catch (error) {
      if (error instanceof TileError) throw error;
      if (timeout.aborted) {
        outcome = 'timeout';
        throw new RetryableError('UPSTREAM_TIMEOUT', `The tile store did not answer ${redact(url)} within ${this.#options.timeoutMs} ms.`, { cause: error });
      }
      if (signal.aborted) {
        outcome = 'aborted';
        throw error;
      }
      throw new RetryableError('UPSTREAM_ERROR', `Reading ${redact(url)} from the tile store failed (${describe(error)}).`, { cause: error });
    } finally {
      this.metrics.request(dataset, outcome, performance.now() - started);
    }
  }
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

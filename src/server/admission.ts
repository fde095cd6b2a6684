/**
 * Admission control: how much work the companion takes on at once, so that
 * memory stays bounded and healthy clients are answered whatever other
 * clients do. Two gauges, each with a cap; past a cap the request is refused
 * at once with 503 OVERLOADED (the app adds Retry-After) instead of queued:
 * - requests being handled (from arrival until their response starts);
 * - batch answers streaming (from their start until the client has read the
 *   end frame, cancelled, or been cut off by the socket idle timeout).
 * And one pressure signal: on Node, how far the event loop lags (loop-lag.ts).
 * Past `maxLoopLagMs` the first request of every new connection is refused at
 * once: a new connection waits one whole loop turn per connection queued
 * before it, whether or not the caps above are reached, so a burst of new
 * connections must be turned away cheaply. Requests on connections already
 * open (keep-alive clients, browsers) are not: they queue for nothing.
 * Platform-free: it runs on Node and on Workers alike.
 */
import type { MiddlewareHandler } from 'hono';
import { TileError } from '../shared/errors.ts';

export interface AdmissionOptions {
  maxRequests: number;
  maxStreams: number;
  /** The event loop's current lag in ms (Node adapter); omitted, never refused for lag. */
  loopLagMs?: () => number;
  /** Whether this request is the first on its connection (Node adapter); omitted, every request is. */
  firstOnConnection?: (request: Request) => boolean;
  /** Lag past which new requests are refused (ms). */
  maxLoopLagMs: number;
}

export interface AdmissionReport {
  activeRequests: number;
  maxRequests: number;
  openStreams: number;
  maxStreams: number;
  /** Event-loop lag now and its cap (ms); null where it is not measured (Workers). */
  loopLagMs: number | null;
  maxLoopLagMs: number;
  /** Requests and streams refused with 503 since start… */
  rejected: number;
  /** …of which new connections refused for event-loop lag. */
  rejectedForLag: number;
}

export class Admission {
  readonly #options: AdmissionOptions;
  #requests = 0;
  #streams = 0;
  #rejected = 0;
  #rejectedForLag = 0;

  constructor(options: AdmissionOptions) {
    this.#options = options;
  }

  /** Counts a request while its handler runs; `exempt` paths (stats) are never refused. */
  middleware(exempt: (path: string) => boolean = () => false): MiddlewareHandler {
    return async (c, next) => {
      if (exempt(c.req.path)) return next();
      const lag = this.#options.loopLagMs?.() ?? 0;
      if (lag > this.#options.maxLoopLagMs && (this.#options.firstOnConnection?.(c.req.raw) ?? true)) {
        this.#rejected += 1;
        this.#rejectedForLag += 1;
        throw new TileError('OVERLOADED', `The companion is ${lag} ms behind on its work; retry shortly.`);
      }
      if (this.#requests >= this.#options.maxRequests) {
        this.#rejected += 1;
        throw new TileError('OVERLOADED', `The companion is handling ${this.#requests} requests already; retry shortly.`);
      }
      this.#requests += 1;
      try {
        await next();
      } finally {
        this.#requests -= 1;
      }
    };
  }

  /** Takes a stream slot or throws OVERLOADED; the returned release is safe to call more than once. */
  openStream(): () => void {
    if (this.#streams >= this.#options.maxStreams) {
      this.#rejected += 1;
      throw new TileError('OVERLOADED', `The companion is streaming ${this.#streams} batch answers already; retry shortly.`);
    }
    this.#streams += 1;
    let open = true;
    return () => {
      if (!open) return;
      open = false;
      this.#streams -= 1;
    };
  }

  report(): AdmissionReport {
    return {
      activeRequests: this.#requests,
      maxRequests: this.#options.maxRequests,
      openStreams: this.#streams,
      maxStreams: this.#options.maxStreams,
      loopLagMs: this.#options.loopLagMs ? this.#options.loopLagMs() : null,
      maxLoopLagMs: this.#options.maxLoopLagMs,
      rejected: this.#rejected,
      rejectedForLag: this.#rejectedForLag,
    };
  }
}

/**
 * The Node edge of the upstream: GETs sent through one undici `Pool` per
 * origin with an explicit connection count, keep-alive and timeouts, instead
 * of the global dispatcher's defaults. It speaks `pool.request()` rather than
 * undici's WHATWG `fetch`: the same pool, without building web streams for
 * every tile (measured: fetch's per-request CPU dominated a 100-tile batch on
 * a busy machine). Sources stay web-standard; only node-server/main build this.
 */
import { Pool } from 'undici';
import type { UpstreamFetch, UpstreamResponse } from './http-upstream.ts';

/**
 * A GET that failed before undici wrote it to a socket (it timed out or was
 * aborted in undici's queue, or no connection could be made): the store never
 * saw it, so it is not a billed request. http-upstream reads `notSent`.
 */
export class NotSentError extends Error {
  override readonly name = 'NotSentError';
  readonly notSent = true;
}

type DispatchOptions = Parameters<Pool['dispatch']>[0];
type DispatchHandler = Parameters<Pool['dispatch']>[1] & { onRequestSent?: () => void };

/**
 * Makes `pool` tell us when a request's bytes have been written: undici calls
 * a legacy handler's `onRequestSent` then, and `pool.request` dispatches
 * through `this.dispatch` with such a handler, so we add the hook there.
 */
function reportSent(pool: Pool, sent: WeakMap<object, () => void>): void {
  const dispatch = pool.dispatch.bind(pool);
  pool.dispatch = ((opts: DispatchOptions, handler: DispatchHandler) => {
    const onSent = sent.get(opts);
    if (onSent) {
      const previous = handler.onRequestSent?.bind(handler);
      handler.onRequestSent = () => {
        onSent();
        previous?.();
      };
    }
    return dispatch(opts, handler);
  }) as Pool['dispatch'];
}

export interface PoolFetchOptions {
  /** Sockets per origin: a 100-tile batch can be in flight at once. */
  connections: number;
  /** Connect, headers and body timeouts (ms). */
  timeoutMs: number;
  /** How long an idle socket is kept for the next GET. */
  keepAliveMs: number;
  /** Origins this fetch may reach (one pool each); anything beyond is refused. */
  maxOrigins?: number;
}

export interface PoolFetch {
  fetch: UpstreamFetch;
  close(): Promise<void>;
}

export function createPoolFetch(options: PoolFetchOptions): PoolFetch {
  const pools = new Map<string, Pool>();
  const sentHooks = new WeakMap<object, () => void>();
  const poolFor = (origin: string): Pool => {
    let pool = pools.get(origin);
    if (!pool) {
      if (pools.size >= (options.maxOrigins ?? 8)) throw new Error(`Too many upstream origins (${pools.size}); refusing ${origin}.`);
      pool = new Pool(origin, {
        connections: options.connections,
        keepAliveTimeout: options.keepAliveMs,
        keepAliveMaxTimeout: options.keepAliveMs * 4,
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
        connect: { timeout: options.timeoutMs },
      });
      reportSent(pool, sentHooks);
      pools.set(origin, pool);
    }
    return pool;
  };

  const fetch: UpstreamFetch = async (url, init) => {
    const target = new URL(url);
    const request = {
      method: init.method,
      path: `${target.pathname}${target.search}`,
      headers: init.headers,
      signal: init.signal,
    };
    let sent = false;
    sentHooks.set(request, () => {
      sent = true;
    });
    let response: Awaited<ReturnType<Pool['request']>>;
    try {
      response = await poolFor(target.origin).request(request);
    } catch (error) {
      if (!sent) throw new NotSentError('The GET never reached the tile store (queued, aborted or not connected).', { cause: error });
      throw error;
    }
    const result: UpstreamResponse = {
      status: response.statusCode,
      headers: {
        get: (name) => {
          const value = response.headers[name.toLowerCase()];
          return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
        },
      },
      arrayBuffer: () => response.body.arrayBuffer(),
      body: { cancel: async () => void response.body.destroy() },
    };
    return result;
  };

  return {
    fetch,
    close: async () => {
      await Promise.all([...pools.values()].map((pool) => pool.close()));
      pools.clear();
    },
  };
}

/**
 * The Node edge of the upstream: a fetch that sends each origin's requests
 * through its own undici `Pool` with an explicit connection count, keep-alive
 * and timeouts, instead of the global dispatcher's defaults. Sources stay
 * web-standard; only node-server/main build this.
 */
import { Pool, fetch as undiciFetch } from 'undici';
import type { UpstreamFetch } from './http-upstream.ts';

export interface PoolFetchOptions {
  /** Sockets per origin: a 100-tile batch can be in flight at once. */
  connections: number;
  /** Connect, headers and body timeouts (ms). */
  timeoutMs: number;
  /** How long an idle socket is kept for the next GET. */
  keepAliveMs: number;
  /** Origins this fetch may reach (one pool each); anything else is refused. */
  maxOrigins?: number;
}

export interface PoolFetch {
  fetch: UpstreamFetch;
  close(): Promise<void>;
}

export function createPoolFetch(options: PoolFetchOptions): PoolFetch {
  const pools = new Map<string, Pool>();
  const poolFor = (url: string): Pool => {
    const origin = new URL(url).origin;
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
      pools.set(origin, pool);
    }
    return pool;
  };
  return {
    fetch: (url, init) => undiciFetch(url, { ...init, dispatcher: poolFor(url) }),
    close: async () => {
      await Promise.all([...pools.values()].map((pool) => pool.close()));
      pools.clear();
    },
  };
}

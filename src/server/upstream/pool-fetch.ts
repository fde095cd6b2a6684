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
import { NotSentError, SendGate } from './send-gate.ts';

/** undici failures that mean the request never reached the store. */
const NOT_SENT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);

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
  const gates = new Map<string, SendGate>();
  const gateFor = (origin: string): SendGate => {
    let gate = gates.get(origin);
    if (!gate) {
      gate = new SendGate(options.connections, options.connections * 10);
      gates.set(origin, gate);
    }
    return gate;
  };
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
      pools.set(origin, pool);
    }
    return pool;
  };

  const fetch: UpstreamFetch = async (url, init) => {
    const target = new URL(url);
    const pool = poolFor(target.origin);
    // One GET per socket: what waits, waits in our gate, where "never sent" is known.
    const release = await gateFor(target.origin).acquire(init.signal);
    let response: Awaited<ReturnType<Pool['request']>>;
    try {
      response = await pool.request({
        method: init.method,
        path: `${target.pathname}${target.search}`,
        headers: init.headers,
        signal: init.signal,
      });
    } catch (error) {
      release();
      const code = (error as { code?: string }).code;
      if (code && NOT_SENT_CODES.has(code)) throw new NotSentError(`No connection to the tile store (${code}).`, { cause: error });
      throw error;
    }
    response.body.once('close', release);
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

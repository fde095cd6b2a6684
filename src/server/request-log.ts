/**
 * One structured line per request (method, path, status, tiles, ms) through
 * an injected `log`, so tests stay quiet and main.ts prints JSON lines.
 */
import type { Context, MiddlewareHandler } from 'hono';

export interface RequestLogLine {
  method: string;
  path: string;
  status: number;
  /** Tiles the request asked for (1 for a single tile, n for a batch, 0 otherwise). */
  tiles: number;
  ms: number;
}

export type RequestLog = (line: RequestLogLine) => void;

const tilesByRequest = new WeakMap<Request, number>();

/** Routes note how many tiles a request carried. */
export function noteTiles(c: Context, tiles: number): void {
  tilesByRequest.set(c.req.raw, tiles);
}

export function requestLog(log: RequestLog): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    await next();
    log({
      method: c.req.method,
      path: new URL(c.req.url).pathname,
      status: c.res.status,
      tiles: tilesByRequest.get(c.req.raw) ?? 0,
      ms: Math.round((performance.now() - started) * 10) / 10,
    });
  };
}

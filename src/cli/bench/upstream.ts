/**
 * The slow upstream: a plain node:http server on 127.0.0.1 serving a tiles
 * folder laid out as the R2 bucket is (`/{dataset}/{z}/{x}/{y}.{ext}`, plus
 * `/{dataset}/info.json`), waiting `latencyFor(...)` before each answer and
 * counting every GET and byte. The counts are the bench's "upstream GETs"
 * and "bytes moved"; the log of keys gives the floor its tile set.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve, sep } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { latencyFor, type LatencyOptions } from './latency.ts';

export interface UpstreamCounters {
  gets: number;
  tileGets: number;
  bytes: number;
  /** Tile GETs answered 404 (a format probe, or a tile outside the image). */
  notFound: number;
  /** Tile keys in the order their GETs arrived (repeats included). */
  keys: string[];
  /** The largest delay injected into any tile GET of this window. */
  maxDelayMs: number;
}

const CONTENT_TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  json: 'application/json',
  dzi: 'application/xml',
  xml: 'application/xml',
};
/** Descriptors, not tiles: served and delayed like tiles, but not counted as tile GETs. */
const DESCRIPTORS = new Set(['json', 'dzi', 'xml']);

export interface UpstreamOptions {
  /** Answer every origin (`Access-Control-Allow-Origin: *`), as a public pyramid host does. */
  cors?: boolean;
}

const zero = (): UpstreamCounters => ({ gets: 0, tileGets: 0, bytes: 0, notFound: 0, keys: [], maxDelayMs: 0 });

export class LatencyUpstream {
  readonly #root: string;
  #latency: LatencyOptions;
  #run = 0;
  #attempts = new Map<string, number>();
  #counters = zero();
  #inFlight = 0;
  #lastActivity = 0;
  #server: Server | undefined;
  #url = '';
  readonly #cors: boolean;

  constructor(root: string, latency: LatencyOptions, options: UpstreamOptions = {}) {
    this.#root = resolve(root);
    this.#latency = latency;
    this.#cors = options.cors ?? false;
  }

  get url(): string {
    return this.#url;
  }

  /** A new run: fresh attempt numbers (so run i's delays repeat per variant) and counters. */
  startRun(run: number, latency: LatencyOptions = this.#latency): void {
    this.#run = run;
    this.#latency = latency;
    this.#attempts = new Map();
    this.#counters = zero();
  }

  /** Counters since the last `startRun` or `take`, then starts a new window. */
  take(): UpstreamCounters {
    const counters = this.#counters;
    this.#counters = zero();
    return counters;
  }

  /**
   * Resolves once no GET has been in flight for `idleMs` (or after `maxMs`),
   * so work a view started late (a prefetch after the view settled) is
   * counted with that view and not with the next one.
   */
  async settle(idleMs: number, maxMs: number): Promise<void> {
    const deadline = performance.now() + maxMs;
    while (performance.now() < deadline) {
      if (this.#inFlight === 0 && performance.now() - this.#lastActivity >= idleMs) return;
      await sleep(25);
    }
  }

  /** The tile keys of the current window so far, without ending it. */
  peekKeys(): readonly string[] {
    return this.#counters.keys;
  }

  async listen(): Promise<string> {
    const server = createServer((request, response) => {
      if (this.#cors && request.method === 'OPTIONS') {
        // A preflight (a worker's conditional GET sends If-None-Match): allowed, not counted.
        response.writeHead(204, { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Methods': 'GET', 'Access-Control-Allow-Headers': '*', 'Access-Control-Max-Age': '600' });
        response.end();
        return;
      }
      this.#inFlight += 1;
      this.#lastActivity = performance.now();
      this.#answer(request.method ?? 'GET', request.url ?? '/').finally(() => {
        this.#inFlight -= 1;
        this.#lastActivity = performance.now();
      }).then(
        ({ status, type, body }) => {
          response.writeHead(status, { 'Content-Type': type, 'Content-Length': body.byteLength, ...(this.#cors ? { 'Access-Control-Allow-Origin': '*' } : {}) });
          response.end(body);
        },
        (error: unknown) => {
          console.error('bench upstream:', error);
          response.writeHead(500).end();
        },
      );
    });
    // Upstream sockets stay open between GETs, as R2's do behind a pooled client.
    server.keepAliveTimeout = 60_000;
    this.#server = server;
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    this.#url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.#url;
  }

  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
  }

  async #answer(method: string, url: string): Promise<{ status: number; type: string; body: Uint8Array }> {
    const path = decodeURIComponent(new URL(url, 'http://upstream').pathname).slice(1);
    const ext = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
    const file = resolve(this.#root, path);
    if (method !== 'GET' || !CONTENT_TYPES[ext] || !file.startsWith(this.#root + sep)) {
      return { status: 404, type: 'text/plain', body: new Uint8Array() };
    }
    const attempt = this.#attempts.get(path) ?? 0;
    this.#attempts.set(path, attempt + 1);
    const delay = latencyFor(this.#latency, this.#run, path, attempt);
    const counters = this.#counters;
    counters.gets += 1;
    const tile = !DESCRIPTORS.has(ext);
    if (tile) {
      counters.tileGets += 1;
      counters.keys.push(path);
      counters.maxDelayMs = Math.max(counters.maxDelayMs, delay);
    }
    const [body] = await Promise.all([readFile(file).catch(() => null), sleep(delay)]);
    if (!body) {
      if (tile) counters.notFound += 1;
      return { status: 404, type: 'text/plain', body: new Uint8Array() };
    }
    counters.bytes += body.byteLength;
    return { status: 200, type: CONTENT_TYPES[ext]!, body };
  }
}

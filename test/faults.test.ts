/**
 * Every upstream fault against a real companion on 127.0.0.1, through single,
 * JSON-batch and binary-batch requests, for both HTTP stores: R2's public URL
 * (a fault-injecting server holding the objects) and the S3 API (the same
 * server as a proxy in front of s3rver). While the fault lasts, the faulty
 * tile is an error (never wrong bytes) and its neighbour is served; once it
 * clears, the bytes served equal the files (so nothing wrong was cached), and
 * the stats counted what the upstream server saw.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fromBase64 } from '../src/shared/base64.ts';
import { BATCH_CONTENT_TYPE, readBatchStream } from '../src/shared/batch-protocol.ts';
import { S3Objects } from '../src/shared/s3-objects.ts';
import type { AppOptions } from '../src/server/app.ts';
import { startCompanion, type RunningCompanion } from '../src/server/node-server.ts';
import type { CacheStatsBody } from '../src/server/routes/cache-routes.ts';
import { R2PublicUrlSource } from '../src/server/sources/r2-public-url.ts';
import { R2S3Source } from '../src/server/sources/r2-s3.ts';
import { upstreamSettings, type UpstreamSettings } from '../src/server/source-from-config.ts';
import { HttpUpstream } from '../src/server/upstream/http-upstream.ts';
import { createPoolFetch, type PoolFetch } from '../src/server/upstream/pool-fetch.ts';
import { startFakeUpstream, type Behave, type FakeUpstream, type Misbehaviour } from './support/fake-upstream.ts';
import { startS3rver, type S3rverHandle } from './support/s3rver.ts';
import { makeDataset, tileBytes } from './support/tile-datasets.ts';

const BUCKET = 'tiles';
const objects = makeDataset('sample');
let s3: S3rverHandle;
let publicStore: FakeUpstream;
let s3Proxy: FakeUpstream;
let pool: PoolFetch;
let running: Array<{ close(): Promise<void> }> = [];
const slept: number[] = [];
const logged: Array<{ url: string; message: string }> = [];

beforeAll(async () => {
  s3 = await startS3rver({ buckets: [BUCKET] });
  const store = new S3Objects({ endpoint: s3.endpoint, bucket: BUCKET, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey });
  const all = [...objects];
  for (let i = 0; i < all.length; i += 8) {
    await Promise.all(all.slice(i, i + 8).map(([key, bytes]) => store.put(key, bytes, { contentType: 'application/octet-stream', cacheControl: 'no-cache' })));
  }
  publicStore = await startFakeUpstream({ objects });
  s3Proxy = await startFakeUpstream({ target: s3.endpoint });
  pool = createPoolFetch({ connections: 16, timeoutMs: 10_000, keepAliveMs: 5_000 });
}, 60_000);

afterAll(async () => {
  await Promise.all(running.map((r) => r.close()));
  await pool.close();
  await publicStore.close();
  await s3Proxy.close();
  await s3.close();
});

type StoreKind = 'public-url' | 's3';

/** Quick timeouts, no breaker, a generous budget and an instant (recorded) backoff: the matrix checks behaviour, not timing. */
function settings(extra: Partial<UpstreamSettings> = {}): UpstreamSettings {
  const base = upstreamSettings(400);
  return {
    ...base,
    retry: { ...base.retry, retries: 1, sleep: async (ms) => void slept.push(ms) },
    retryBudget: { capacity: 1000, refillPerSecond: 1000 },
    breaker: { failureThreshold: 0, cooldownMs: 1000 },
    logFailure: (line) => void logged.push(line),
    ...extra,
  };
}

async function companion(kind: StoreKind, extra: Partial<UpstreamSettings> = {}, app: Partial<AppOptions> = {}, fetchImpl = pool.fetch) {
  const upstream = kind === 'public-url' ? publicStore : s3Proxy;
  const http = new HttpUpstream({ ...settings(extra), fetch: fetchImpl });
  const source =
    kind === 'public-url'
      ? new R2PublicUrlSource(upstream.url, http)
      : new R2S3Source({ endpoint: upstream.url, bucket: BUCKET, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey }, http);
  const c = await startCompanion({ source, ...app });
  running.push(c);
  upstream.setBehave(undefined);
  upstream.reset();
  return { c, upstream, prefix: kind === 'public-url' ? '/' : `/${BUCKET}/` };
}

async function stats(c: RunningCompanion): Promise<CacheStatsBody> {
  return (await (await fetch(`${c.url}/api/tiles/sample/cache-stats`)).json()) as CacheStatsBody;
}

const FAULTY = '2/1/1.jpg';
const HEALTHY = '2/0/0.jpg';
const file = (coord: string) => {
  const [z, x, rest] = coord.split('/') as [string, string, string];
  const [y, ext] = rest.split('.') as [string, string];
  return tileBytes('sample', Number(z), Number(x), Number(y), ext);
};

type Mode = 'single' | 'json' | 'binary';
/** What one request for the two tiles saw: status and bytes per tile (null for a failure). */
type Seen = Record<string, { status: number; bytes: Uint8Array | null }>;

async function ask(c: RunningCompanion, mode: Mode, coords: string[]): Promise<Seen> {
  const seen: Seen = {};
  if (mode === 'single') {
    for (const coord of coords) {
      const response = await fetch(`${c.url}/api/tiles/sample/${coord}`);
      const body = new Uint8Array(await response.arrayBuffer());
      seen[coord] = { status: response.status, bytes: response.status === 200 ? body : null };
      if (response.status !== 200) {
        const text = new TextDecoder().decode(body);
        expect(text).not.toContain('127.0.0.1'); // no upstream URL in an error body
      }
    }
    return seen;
  }
  const query = coords.map((t) => `tiles=${t}`).join('&');
  if (mode === 'json') {
    const response = await fetch(`${c.url}/api/tiles/sample/batch?${query}`);
    expect(response.status).toBe(200);
    const { tiles } = (await response.json()) as { tiles: Record<string, string | null> };
    for (const coord of coords) seen[coord] = tiles[coord] ? { status: 200, bytes: fromBase64(tiles[coord]!) } : { status: 0, bytes: null };
    return seen;
  }
  const response = await fetch(`${c.url}/api/tiles/sample/batch?${query}`, { headers: { Accept: BATCH_CONTENT_TYPE } });
  expect(response.status).toBe(200);
  // readBatchStream throws unless the end frame arrives: every batch must end properly.
  for await (const frame of readBatchStream(response.body!)) {
    seen[frame.key] = { status: frame.status, bytes: frame.status === 200 ? frame.body : null };
    if (frame.status !== 200) expect(new TextDecoder().decode(frame.body)).not.toContain('127.0.0.1');
  }
  return seen;
}

interface FaultCase {
  name: string;
  how: Misbehaviour;
  /** Status of the faulty tile while the fault lasts (single and binary; JSON has null). */
  status: number;
  /** Bodies refused as non-tiles while it lasted. */
  invalid?: boolean;
}

const FAULTS: FaultCase[] = [
  { name: '500', how: { status: 500 }, status: 502 },
  { name: '503', how: { status: 503 }, status: 502 },
  { name: '429 with Retry-After', how: { status: 429, retryAfter: '1' }, status: 502 },
  { name: 'connection reset', how: { reset: true }, status: 502 },
  { name: 'stall', how: { hang: true }, status: 504 },
  { name: 'truncated body with Content-Length', how: { truncate: 'declared' }, status: 502 },
  { name: 'truncated chunked body (no Content-Length)', how: { truncate: 'chunked' }, status: 502 },
  { name: 'HTML 200', how: { html: true }, status: 502, invalid: true },
  { name: 'empty 200', how: { empty: true }, status: 502, invalid: true },
  { name: 'latency spike', how: { delayMs: 150 }, status: 200 },
  { name: 'huge ETag', how: { etag: `"${'e'.repeat(4000)}"` }, status: 200 },
  { name: 'wrong Content-Type', how: { contentType: 'text/html; charset=utf-8' }, status: 200 },
];

const only = (path: string, how: Misbehaviour): Behave => (p) => (p === path ? how : undefined);

describe.each<StoreKind>(['public-url', 's3'])('faults from the %s store', (kind) => {
  describe.each<Mode>(['single', 'json', 'binary'])('%s requests', (mode) => {
    it.each(FAULTS)('$name', async ({ how, status, invalid }) => {
      const { c, upstream, prefix } = await companion(kind);
      slept.length = 0;
      upstream.setBehave(only(`${prefix}sample/${FAULTY}`, how));

      const during = await ask(c, mode, [FAULTY, HEALTHY]);
      expect(during[HEALTHY]).toEqual({ status: 200, bytes: file(HEALTHY) });
      if (status === 200) expect(during[FAULTY]).toEqual({ status: 200, bytes: file(FAULTY) });
      else expect(during[FAULTY]).toEqual({ status: mode === 'json' ? 0 : status, bytes: null });
      if (how.retryAfter) expect(slept).toContain(Number(how.retryAfter) * 1000);

      upstream.setBehave(undefined);
      const after = await ask(c, mode, [FAULTY, HEALTHY]);
      expect(after[FAULTY]).toEqual({ status: 200, bytes: file(FAULTY) });

      const report = await stats(c);
      expect(report.counters.invalidBodies).toBe(invalid ? 1 : 0);
      if (status !== 200) expect(report.counters.sourceErrors).toBeGreaterThanOrEqual(1);
      // Counted what the store received: every GET it saw, and no more.
      const received = upstream.gets.filter((p) => p.startsWith(`${prefix}sample/`)).length;
      expect(report.upstream!.requests).toBe(received);
      if (mode === 'binary' && how.etag) expect(report.counters.sourceFound).toBeGreaterThanOrEqual(2);
    });
  });
});

describe('outages', () => {
  it('keeps serving cached tiles and the last good info while the store answers 503 or stalls', async () => {
    const { c, upstream, prefix } = await companion('public-url', {}, { infoTtlMs: 1 });
    for (const mode of ['single', 'json', 'binary'] as const) expect((await ask(c, mode, [FAULTY]))[FAULTY]!.status).toBe(200);
    for (const how of [{ status: 503 }, { hang: true }] satisfies Misbehaviour[]) {
      upstream.setBehave(() => how);
      await new Promise((resolve) => setTimeout(resolve, 5)); // past the 1 ms info TTL
      for (const mode of ['single', 'json', 'binary'] as const) {
        expect((await ask(c, mode, [FAULTY]))[FAULTY]).toEqual({ status: 200, bytes: file(FAULTY) });
      }
    }
    const report = await stats(c);
    expect(report.counters.staleTilesServed).toBeGreaterThanOrEqual(6);
    expect(report.reliability.info.stale).toBe(true);
    expect(report.reliability.upstreamHealthy).toBe(false);
    expect(upstream.gets.some((p) => p === `${prefix}sample/info.json`)).toBe(true);

    upstream.setBehave(undefined);
    // The stalled background read of info.json ends at its timeout; then the next lookup reads it afresh.
    let reliability = (await stats(c)).reliability;
    for (let i = 0; i < 60 && (reliability.info.stale || !reliability.upstreamHealthy); i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      await ask(c, 'single', [HEALTHY]);
      reliability = (await stats(c)).reliability;
    }
    expect(reliability).toMatchObject({ upstreamHealthy: true, info: { stale: false } });
  });

  it('opens the breaker after failures in a row: no GETs reach the store, cached tiles are still served', async () => {
    const { c, upstream, prefix } = await companion('public-url', { breaker: { failureThreshold: 2, cooldownMs: 60_000 }, retry: { ...settings().retry, retries: 0 } });
    expect((await ask(c, 'single', [HEALTHY]))[HEALTHY]!.status).toBe(200);
    upstream.setBehave((p) => (p.endsWith('info.json') ? undefined : { status: 503 }));
    expect(await ask(c, 'single', ['2/1/0.jpg', '2/1/1.jpg'])).toEqual({ '2/1/0.jpg': { status: 502, bytes: null }, '2/1/1.jpg': { status: 502, bytes: null } });
    const before = upstream.gets.length;
    const refused = await fetch(`${c.url}/api/tiles/sample/2/2/2.jpg`);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('Retry-After')).toBe('5');
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('UPSTREAM_UNAVAILABLE');
    expect((await ask(c, 'binary', [HEALTHY, '2/2/1.jpg']))).toMatchObject({ [HEALTHY]: { status: 200 }, '2/2/1.jpg': { status: 503 } });
    expect(upstream.gets.length).toBe(before);
    const report = await stats(c);
    expect(report.reliability.upstream!.breaker).toMatchObject({ state: 'open', opens: 1 });
    expect(report.reliability.upstreamHealthy).toBe(false);
    expect(upstream.gets.filter((p) => p.startsWith(`${prefix}sample/2/`)).length).toBe(3);
  });

  it('spends no more retries and hedges than the budget on a failing store', async () => {
    const { c, upstream } = await companion('public-url', {
      retryBudget: { capacity: 2, refillPerSecond: 0 },
      retry: { ...settings().retry, retries: 3 },
    });
    upstream.setBehave((p) => (p.endsWith('info.json') ? undefined : { status: 503 }));
    await ask(c, 'single', ['2/0/0.jpg', '2/0/1.jpg', '2/0/2.jpg']);
    const tileGets = upstream.gets.filter((p) => !p.endsWith('info.json')).length;
    expect(tileGets).toBe(3 + 2);
    expect((await stats(c)).reliability.upstream!.retryBudget).toMatchObject({ available: 0, spent: 2, denied: 3 });
  });

  it('does not retry a 429 that asks for longer than the cap', async () => {
    const { c, upstream, prefix } = await companion('public-url');
    upstream.setBehave(only(`${prefix}sample/${FAULTY}`, { status: 429, retryAfter: '60' }));
    expect((await ask(c, 'single', [FAULTY]))[FAULTY]!.status).toBe(502);
    expect(upstream.getsOf(`${prefix}sample/${FAULTY}`)).toBe(1);
  });

  it('counts only GETs that were sent: one that timed out waiting for a connection is not a request', async () => {
    const narrow = createPoolFetch({ connections: 1, timeoutMs: 10_000, keepAliveMs: 1_000 });
    running.push(narrow);
    const { c, upstream, prefix } = await companion('public-url', { retry: { ...settings().retry, retries: 0 } }, {}, narrow.fetch);
    await ask(c, 'single', [HEALTHY]); // info and one tile: the socket is warm
    // The test itself holds the pool's only connection with a GET that hangs, past the companion's 400 ms timeout.
    upstream.setBehave(only(`${prefix}sample/2/1/0.jpg`, { hang: true }));
    const holder = new AbortController();
    const held = narrow.fetch(`${upstream.url}/sample/2/1/0.jpg`, { method: 'GET', headers: {}, signal: holder.signal }).catch(() => undefined);
    await vi.waitFor(() => expect(upstream.getsOf(`${prefix}sample/2/1/0.jpg`)).toBe(1), { timeout: 5_000 });
    const before = upstream.gets.length;
    const answer = await fetch(`${c.url}/api/tiles/sample/2/3/0.jpg`);
    holder.abort();
    await held;
    expect(answer.status).toBe(504);
    const report = await stats(c);
    expect(upstream.getsOf(`${prefix}sample/2/3/0.jpg`)).toBe(0);
    // Every GET the upstream saw, but the test's own, was counted; the one that never left was not.
    expect(report.upstream!.requests).toBe(before - 1);
    expect(upstream.gets.length).toBe(before);
    expect(report.upstream!.outcomes.notSent).toBe(1);
  });

  it('logs the failing object URL but never returns it', async () => {
    logged.length = 0;
    const { c, upstream, prefix } = await companion('s3');
    upstream.setBehave(only(`${prefix}sample/${FAULTY}`, { status: 503 }));
    const response = await fetch(`${c.url}/api/tiles/sample/${FAULTY}`);
    const text = await response.text();
    expect(response.status).toBe(502);
    expect(text).toContain(`sample/${FAULTY}`);
    expect(text).not.toContain(upstream.url.replace('http://', ''));
    expect(text).not.toContain(`${BUCKET}/sample`);
    expect(logged.some((line) => line.url.startsWith(`${upstream.url}/${BUCKET}/sample/${FAULTY}`))).toBe(true);
  });
});

/**
 * R2's public-URL source and the upstream's behaviour under trouble, against
 * a local HTTP server that serves the bucket's objects and misbehaves on cue
 * (503s, 403s, stalls). Every claim is counted at that server: retries are
 * extra GETs it received, a hedge is a second GET while the first still hangs.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fromBase64 } from '../src/shared/base64.ts';
import { BATCH_CONTENT_TYPE, readBatchStream } from '../src/shared/batch-protocol.ts';
import { startCompanion, type RunningCompanion } from '../src/server/node-server.ts';
import type { CacheStatsBody } from '../src/server/routes/cache-routes.ts';
import { R2PublicUrlSource } from '../src/server/sources/r2-public-url.ts';
import { upstreamSettings, type UpstreamSettings } from '../src/server/source-from-config.ts';
import { HttpUpstream } from '../src/server/upstream/http-upstream.ts';
import { createPoolFetch, type PoolFetch } from '../src/server/upstream/pool-fetch.ts';
import { startFakeUpstream, type FakeUpstream, type Misbehaviour } from './support/fake-upstream.ts';
import { makeDataset, mixedFormat, tileBytes } from './support/tile-datasets.ts';

const objects = new Map([...makeDataset('sample'), ...makeDataset('mixed', mixedFormat)]);
let pool: PoolFetch;
let opened: Array<{ close(): Promise<void> }> = [];

beforeAll(() => {
  pool = createPoolFetch({ connections: 8, timeoutMs: 10_000, keepAliveMs: 5_000 });
});
afterEach(async () => {
  await Promise.all(opened.map((o) => o.close()));
  opened = [];
});
afterAll(async () => {
  await pool.close();
});

async function setup(
  behave?: (path: string, nth: number) => Misbehaviour | undefined,
  settings: Partial<UpstreamSettings> = {},
): Promise<{ upstream: FakeUpstream; c: RunningCompanion }> {
  const upstream = await startFakeUpstream({ objects, ...(behave ? { behave } : {}) });
  // No backoff wait in tests: the number of attempts is what is checked.
  const base = upstreamSettings(10_000);
  const http = new HttpUpstream({ ...base, retry: { ...base.retry, baseDelayMs: 1, maxDelayMs: 2 }, ...settings, fetch: pool.fetch });
  const c = await startCompanion({ source: new R2PublicUrlSource(`${upstream.url}/`, http) });
  opened.push(c, upstream);
  return { upstream, c };
}

const tileOnly = (target: string, how: Misbehaviour, times = Infinity) => (path: string, nth: number) =>
  path === target && nth < times ? how : undefined;

async function errorOf(response: Response): Promise<{ code: string; message: string }> {
  return ((await response.json()) as { error: { code: string; message: string } }).error;
}

async function upstreamReport(c: RunningCompanion, dataset = 'sample') {
  return ((await (await fetch(`${c.url}/api/tiles/${dataset}/cache-stats`)).json()) as CacheStatsBody).upstream!;
}

describe('R2 public URL source', () => {
  it('reads tiles with unsigned GETs of {R2_PUBLIC_URL}/{key}: single, batch, fallback', async () => {
    const { upstream, c } = await setup();
    const tile = await fetch(`${c.url}/api/tiles/sample/2/1/1.jpg`);
    expect(new Uint8Array(await tile.arrayBuffer())).toEqual(tileBytes('sample', 2, 1, 1, 'jpg'));
    const batch = await fetch(`${c.url}/api/tiles/mixed/batch?tiles=2/0/0.jpg&tiles=1/0/0.jpg&tiles=1/1/1.jpg`);
    const { tiles } = (await batch.json()) as { tiles: Record<string, string | null> };
    expect(fromBase64(tiles['2/0/0.jpg']!)).toEqual(tileBytes('mixed', 2, 0, 0, 'png'));
    expect(fromBase64(tiles['1/0/0.jpg']!)).toEqual(tileBytes('mixed', 1, 0, 0, 'jpg'));
    expect(tiles['1/1/1.jpg']).toBeNull();
    expect(upstream.gets).toContain('/sample/2/1/1.jpg');
    expect(upstream.gets).toContain('/mixed/info.json');
    expect((await upstreamReport(c, 'mixed')).requests).toBe(upstream.gets.filter((p) => p.startsWith('/mixed/')).length);
  });
});

describe('upstream trouble', () => {
  it('retries a 503 and serves the tile; the retry is a second GET at the upstream', async () => {
    const { upstream, c } = await setup(tileOnly('/sample/2/0/0.jpg', { status: 503 }, 1));
    const tile = await fetch(`${c.url}/api/tiles/sample/2/0/0.jpg`);
    expect(tile.status).toBe(200);
    expect(new Uint8Array(await tile.arrayBuffer())).toEqual(tileBytes('sample', 2, 0, 0, 'jpg'));
    expect(upstream.getsOf('/sample/2/0/0.jpg')).toBe(2);
    expect(await upstreamReport(c)).toMatchObject({ retries: 1, outcomes: { serverError: 1 } });
  });

  it('gives up after the bounded retries with 502 UPSTREAM_ERROR; in a batch only that tile fails', async () => {
    const { upstream, c } = await setup(tileOnly('/sample/2/0/0.jpg', { status: 500 }));
    const single = await fetch(`${c.url}/api/tiles/sample/2/0/0.jpg`);
    expect(single.status).toBe(502);
    expect((await errorOf(single)).code).toBe('UPSTREAM_ERROR');
    expect(upstream.getsOf('/sample/2/0/0.jpg')).toBe(1 + upstreamSettings().retry.retries);
    // Failures are not cached: the batch asks again.
    const batch = await fetch(`${c.url}/api/tiles/sample/batch?tiles=2/0/0.jpg&tiles=2/1/0.jpg`, { headers: { Accept: BATCH_CONTENT_TYPE } });
    expect(batch.status).toBe(200);
    const statuses: Record<string, number> = {};
    for await (const frame of readBatchStream(batch.body!)) statuses[frame.key] = frame.status;
    expect(statuses).toEqual({ '2/0/0.jpg': 502, '2/1/0.jpg': 200 });
  });

  it('maps a refused GET (403) to 502 with a message about credentials, without retrying', async () => {
    const { upstream, c } = await setup(tileOnly('/sample/2/0/0.jpg', { status: 403 }));
    const response = await fetch(`${c.url}/api/tiles/sample/2/0/0.jpg`);
    expect(response.status).toBe(502);
    expect((await errorOf(response)).message).toMatch(/credentials/);
    expect(upstream.getsOf('/sample/2/0/0.jpg')).toBe(1);
  });

  it('maps a stalled upstream to 504 UPSTREAM_TIMEOUT after retrying once', async () => {
    const { upstream, c } = await setup(tileOnly('/sample/2/0/0.jpg', { hang: true }), {
      timeoutMs: 300,
      maxHedgesInFlight: 0,
      retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 2 },
    });
    const response = await fetch(`${c.url}/api/tiles/sample/2/0/0.jpg`);
    expect(response.status).toBe(504);
    expect((await errorOf(response)).code).toBe('UPSTREAM_TIMEOUT');
    expect(upstream.getsOf('/sample/2/0/0.jpg')).toBe(2);
    expect(await upstreamReport(c)).toMatchObject({ hedges: 0, outcomes: { timeout: 2 } });
  });

  it('hedges a GET that runs past the threshold: the second GET answers while the first still hangs', async () => {
    const { upstream, c } = await setup(tileOnly('/sample/2/0/0.jpg', { hang: true }, 1), {
      timeoutMs: 10_000,
      hedgeMinSamples: 0,
      hedgeMinDelayMs: 100,
      retry: { retries: 0, baseDelayMs: 1, maxDelayMs: 1 },
    });
    const response = await fetch(`${c.url}/api/tiles/sample/2/0/0.jpg`);
    expect(response.status).toBe(200);
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(tileBytes('sample', 2, 0, 0, 'jpg'));
    expect(upstream.getsOf('/sample/2/0/0.jpg')).toBe(2);
    expect(await upstreamReport(c)).toMatchObject({ hedges: 1, hedgeWins: 1, retries: 0, outcomes: { ok: 2, aborted: 1 } });
  });

  it('streams binary frames in completion order: a stalled tile asked first does not hold the others', async () => {
    const { c } = await setup(tileOnly('/sample/2/0/0.jpg', { hang: true }), {
      timeoutMs: 1_000,
      maxHedgesInFlight: 0,
      retry: { retries: 0, baseDelayMs: 1, maxDelayMs: 1 },
    });
    const response = await fetch(`${c.url}/api/tiles/sample/batch?tiles=2/0/0.jpg&tiles=2/1/0.jpg&tiles=2/2/0.jpg`, {
      headers: { Accept: BATCH_CONTENT_TYPE },
    });
    const order: Array<[string, number]> = [];
    for await (const frame of readBatchStream(response.body!)) order.push([frame.key, frame.status]);
    expect(order.slice(0, 2).map(([, status]) => status)).toEqual([200, 200]);
    expect(order[2]).toEqual(['2/0/0.jpg', 504]);
  });

  it('refuses an object over the tile size limit', async () => {
    const { c } = await setup(undefined, { maxObjectBytes: 1000 });
    const response = await fetch(`${c.url}/api/tiles/sample/2/0/0.jpg`);
    expect(response.status).toBe(502);
    expect((await errorOf(response)).message).toMatch(/over the 1000-byte limit/);
  });
});

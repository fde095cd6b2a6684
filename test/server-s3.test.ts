/**
 * The companion against a real S3-API server (s3rver on 127.0.0.1) through
 * R2S3Source, with every upstream GET counted by a forwarding server in
 * front of s3rver. Covers byte-for-byte batches (JSON and binary), format
 * fallback and its memory, the negative cache, in-flight dedupe, LRU
 * eviction by bytes, cache-clear, cache-stats and auth over a real socket.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromBase64 } from '../src/shared/base64.ts';
import { BATCH_CONTENT_TYPE, readBatchStream } from '../src/shared/batch-protocol.ts';
import { S3Objects } from '../src/shared/s3-objects.ts';
import { startCompanion, type RunningCompanion } from '../src/server/node-server.ts';
import type { AppOptions } from '../src/server/app.ts';
import type { CacheStatsBody } from '../src/server/routes/cache-routes.ts';
import { R2S3Source } from '../src/server/sources/r2-s3.ts';
import { loadConfig } from '../src/server/config.ts';
import { sourceFromConfig, upstreamSettings } from '../src/server/source-from-config.ts';
import { HttpUpstream } from '../src/server/upstream/http-upstream.ts';
import { createPoolFetch, type PoolFetch } from '../src/server/upstream/pool-fetch.ts';
import { startFakeUpstream, type FakeUpstream } from './support/fake-upstream.ts';
import { startS3rver, type S3rverHandle } from './support/s3rver.ts';
import { allTiles, makeDataset, mixedFormat, tileBytes } from './support/tile-datasets.ts';

const BUCKET = 'tiles';
let s3: S3rverHandle;
let counter: FakeUpstream;
let pool: PoolFetch;
const running: RunningCompanion[] = [];

beforeAll(async () => {
  s3 = await startS3rver({ buckets: [BUCKET] });
  const objects = new S3Objects({ endpoint: s3.endpoint, bucket: BUCKET, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey });
  const all = [...makeDataset('sample'), ...makeDataset('mixed', mixedFormat)];
  for (let i = 0; i < all.length; i += 8) {
    await Promise.all(all.slice(i, i + 8).map(([key, bytes]) => objects.put(key, bytes, { contentType: 'application/octet-stream', cacheControl: 'no-cache' })));
  }
  counter = await startFakeUpstream({ target: s3.endpoint });
  pool = createPoolFetch({ connections: 16, timeoutMs: 10_000, keepAliveMs: 5_000 });
});

afterAll(async () => {
  await Promise.all(running.map((c) => c.close()));
  await pool.close();
  await counter.close();
  await s3.close();
});

async function companion(options: Partial<AppOptions> = {}): Promise<RunningCompanion> {
  const upstream = new HttpUpstream({ ...upstreamSettings(10_000), fetch: pool.fetch });
  const source = new R2S3Source(
    { endpoint: counter.url, bucket: BUCKET, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    upstream,
  );
  const c = await startCompanion({ source, ...options });
  running.push(c);
  counter.reset();
  return c;
}

const path = (dataset: string, tile: string) => `/${BUCKET}/${dataset}/${tile}`;

async function stats(c: RunningCompanion, dataset: string): Promise<CacheStatsBody> {
  return (await (await fetch(`${c.url}/api/tiles/${dataset}/cache-stats`)).json()) as CacheStatsBody;
}

describe('companion on R2 through the S3 API (s3rver)', () => {
  it('serves info and single tiles byte for byte, with ETag, Cache-Control and 304', async () => {
    const c = await companion();
    const info = await fetch(`${c.url}/api/tiles/sample/info`);
    expect(await info.json()).toMatchObject({ width: 1024, maxLevel: 2, version: 'v1' });
    const tile = await fetch(`${c.url}/api/tiles/sample/2/3/1.jpg`);
    expect(tile.status).toBe(200);
    expect(tile.headers.get('Content-Type')).toBe('image/jpeg');
    expect(tile.headers.get('X-Tile-Format')).toBe('jpg');
    expect(tile.headers.get('Cache-Control')).toMatch(/max-age=\d+/);
    expect(new Uint8Array(await tile.arrayBuffer())).toEqual(tileBytes('sample', 2, 3, 1, 'jpg'));
    const again = await fetch(`${c.url}/api/tiles/sample/2/3/1.jpg`, { headers: { 'If-None-Match': tile.headers.get('ETag')! } });
    expect(again.status).toBe(304);
    expect(counter.getsOf(path('sample', '2/3/1.jpg'))).toBe(1);
  });

  it('round-trips a batch as base64 JSON and as a binary stream, byte for byte', async () => {
    const c = await companion();
    const names = allTiles().map(({ z, x, y }) => `${z}/${x}/${y}.jpg`);
    const json = await fetch(`${c.url}/api/tiles/sample/batch`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ tiles: names }),
    });
    const { tiles } = (await json.json()) as { tiles: Record<string, string | null> };
    expect(Object.keys(tiles).sort()).toEqual([...names].sort());
    for (const { z, x, y } of allTiles()) expect(fromBase64(tiles[`${z}/${x}/${y}.jpg`]!)).toEqual(tileBytes('sample', z, x, y, 'jpg'));

    const fresh = await companion();
    const binary = await fetch(`${fresh.url}/api/tiles/sample/batch?${names.map((n) => `tiles=${n}`).join('&')}`, {
      headers: { Accept: BATCH_CONTENT_TYPE },
    });
    expect(binary.headers.get('Content-Type')).toBe(BATCH_CONTENT_TYPE);
    const seen = new Set<string>();
    for await (const frame of readBatchStream(binary.body!)) {
      const [z, x, y] = frame.key.replace('.jpg', '').split('/').map(Number) as [number, number, number];
      expect(frame).toMatchObject({ status: 200, contentType: 'image/jpeg', body: tileBytes('sample', z, x, y, 'jpg') });
      expect(frame.etag).toMatch(/^".+"$/);
      seen.add(frame.key);
    }
    expect(seen.size).toBe(names.length);
    expect(counter.gets.filter((p) => p.endsWith('.jpg'))).toHaveLength(names.length);
  });

  it('falls back jpg -> png -> webp, says which format it served, and asks remembered formats first', async () => {
    const c = await companion();
    const first = await fetch(`${c.url}/api/tiles/mixed/2/0/0.jpg`);
    expect(first.headers.get('Content-Type')).toBe('image/png');
    expect(first.headers.get('X-Tile-Format')).toBe('png');
    expect(new Uint8Array(await first.arrayBuffer())).toEqual(tileBytes('mixed', 2, 0, 0, 'png'));
    expect(counter.gets.filter((p) => p.includes('/2/0/0.'))).toEqual([path('mixed', '2/0/0.jpg'), path('mixed', '2/0/0.png')]);

    // Same level: png is asked first now, so one GET.
    counter.reset();
    await (await fetch(`${c.url}/api/tiles/mixed/2/1/2.jpg`)).arrayBuffer();
    expect(counter.gets).toEqual([path('mixed', '2/1/2.png')]);

    // webp on the right half: png (remembered) misses, then jpg, then webp answers; webp is remembered.
    counter.reset();
    const webp = await fetch(`${c.url}/api/tiles/mixed/2/3/0.jpg`);
    expect(webp.headers.get('X-Tile-Format')).toBe('webp');
    expect(new Uint8Array(await webp.arrayBuffer())).toEqual(tileBytes('mixed', 2, 3, 0, 'webp'));
    expect(counter.gets).toEqual([path('mixed', '2/3/0.png'), path('mixed', '2/3/0.jpg'), path('mixed', '2/3/0.webp')]);
    // png answered twice, webp once: png first, then webp; jpg, which never answered here, is not asked.
    counter.reset();
    await (await fetch(`${c.url}/api/tiles/mixed/2/2/2.jpg`)).arrayBuffer();
    expect(counter.gets).toEqual([path('mixed', '2/2/2.png'), path('mixed', '2/2/2.webp')]);
    expect((await stats(c, 'mixed')).counters.fallbacks).toBe(4);
  });

  it('remembers a tile that exists in no format: 404 with no repeated upstream GETs', async () => {
    const c = await companion();
    const missing = await fetch(`${c.url}/api/tiles/mixed/1/1/1.jpg`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    expect(counter.gets.filter((p) => p.includes('/1/1/1.'))).toHaveLength(3);
    for (let i = 0; i < 5; i += 1) expect((await fetch(`${c.url}/api/tiles/mixed/1/1/1.jpg`)).status).toBe(404);
    const batch = await fetch(`${c.url}/api/tiles/mixed/batch?tiles=1/1/1.jpg&tiles=1/0/0.jpg`);
    expect(((await batch.json()) as { tiles: Record<string, string | null> }).tiles['1/1/1.jpg']).toBeNull();
    expect(counter.gets.filter((p) => p.includes('/1/1/1.'))).toHaveLength(3);
    expect((await stats(c, 'mixed')).counters.negativeHits).toBe(6);
  });

  it('makes one upstream GET for many concurrent requests of one tile (singles and batches, many clients)', async () => {
    const c = await companion();
    await (await fetch(`${c.url}/api/tiles/sample/info`)).arrayBuffer();
    const singles = Array.from({ length: 30 }, () => fetch(`${c.url}/api/tiles/sample/2/2/2.jpg`).then((r) => r.arrayBuffer()));
    const batches = Array.from({ length: 10 }, () =>
      fetch(`${c.url}/api/tiles/sample/batch?tiles=2/2/2.jpg&tiles=2/0/1.jpg`, { headers: { Accept: BATCH_CONTENT_TYPE } }).then(async (r) => {
        for await (const frame of readBatchStream(r.body!)) expect(frame.status).toBe(200);
      }),
    );
    const bodies = await Promise.all(singles);
    await Promise.all(batches);
    for (const body of bodies) expect(new Uint8Array(body)).toEqual(tileBytes('sample', 2, 2, 2, 'jpg'));
    expect(counter.getsOf(path('sample', '2/2/2.jpg'))).toBe(1);
    expect(counter.getsOf(path('sample', '2/0/1.jpg'))).toBe(1);
    const report = await stats(c, 'sample');
    expect(report.counters.cacheMisses - report.counters.dedupedWaits).toBe(2);
  });

  it('evicts least recently used tiles by bytes, and reads an evicted tile again', async () => {
    // Room for two 3000-byte tiles (plus bookkeeping), not three.
    const c = await companion({ cacheMaxBytes: 7_000 });
    const get = async (tile: string) => (await fetch(`${c.url}/api/tiles/sample/${tile}`)).arrayBuffer();
    await get('2/0/0.jpg');
    await get('2/1/0.jpg');
    await get('2/0/0.jpg'); // hit: 2/0/0 is now the most recent
    await get('2/2/0.jpg'); // evicts 2/1/0
    const report = await stats(c, 'sample');
    expect(report.cache).toMatchObject({ entries: 2, maxBytes: 7_000, hits: 1 });
    expect(report.cache.bytes).toBeLessThanOrEqual(7_000);
    await get('2/0/0.jpg');
    await get('2/1/0.jpg');
    expect(counter.getsOf(path('sample', '2/0/0.jpg'))).toBe(1);
    expect(counter.getsOf(path('sample', '2/1/0.jpg'))).toBe(2);
  });

  it('cache-clear empties one dataset; the next request goes upstream again', async () => {
    const c = await companion();
    await (await fetch(`${c.url}/api/tiles/sample/0/0/0.jpg`)).arrayBuffer();
    await (await fetch(`${c.url}/api/tiles/mixed/0/0/0.jpg`)).arrayBuffer();
    const cleared = await fetch(`${c.url}/api/tiles/sample/cache-clear`, { method: 'POST' });
    expect(await cleared.json()).toEqual({ dataset: 'sample', removed: 1 });
    expect((await stats(c, 'sample')).cache.entries).toBe(0);
    expect((await stats(c, 'mixed')).cache.entries).toBe(1);
    await (await fetch(`${c.url}/api/tiles/sample/0/0/0.jpg`)).arrayBuffer();
    await (await fetch(`${c.url}/api/tiles/mixed/0/0/0.jpg`)).arrayBuffer();
    expect(counter.getsOf(path('sample', '0/0/0.jpg'))).toBe(2);
    expect(counter.getsOf(path('mixed', '0/0/0.jpg'))).toBe(1);
  });

  it('reports hits, misses, upstream GETs by outcome, latency and Class B cost matching what s3rver received', async () => {
    const c = await companion();
    await (await fetch(`${c.url}/api/tiles/mixed/batch?tiles=2/0/0.jpg&tiles=2/0/1.jpg&tiles=1/1/1.jpg`)).arrayBuffer();
    await (await fetch(`${c.url}/api/tiles/mixed/2/0/0.jpg`)).arrayBuffer();
    const report = await stats(c, 'mixed');
    const received = counter.gets.length;
    expect(report.source).toBe('r2-s3');
    expect(report.upstream!.classBOperations).toBe(received);
    expect(report.upstream!.estimatedCostUsd).toBeCloseTo((received * 0.36) / 1e6, 12);
    expect(report.upstream!.outcomes.ok + report.upstream!.outcomes.notFound).toBe(received);
    expect(report.upstream!.latencyMs.samples).toBe(received);
    expect(report.cache).toMatchObject({ hits: 1, misses: 3, hitRate: 0.25, entries: 2, inFlight: 0 });
    expect(report.all.upstream!.classBOperations).toBeGreaterThanOrEqual(received);
  });

  it('is what USE_S3=true and the AWS_* variables configure (the wiring main.ts uses)', async () => {
    const config = loadConfig({
      USE_S3: 'true',
      S3_ENDPOINT_URL: counter.url,
      AWS_BUCKET_NAME: BUCKET,
      AWS_ACCESS_KEY_ID: s3.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
    });
    const c = await startCompanion({ source: sourceFromConfig(config.source, pool.fetch) });
    running.push(c);
    counter.reset();
    const tile = await fetch(`${c.url}/api/tiles/sample/1/1/0.jpg`);
    expect(new Uint8Array(await tile.arrayBuffer())).toEqual(tileBytes('sample', 1, 1, 0, 'jpg'));
    expect(counter.gets).toEqual([path('sample', 'info.json'), path('sample', '1/1/0.jpg')]);
    expect(c.service.sourceKind).toBe('r2-s3');
  });

  it('with AUTH_TOKEN set, refuses every tile endpoint without it and reads nothing upstream', async () => {
    const token = 'integration-token-0123456789';
    const c = await companion({ authToken: token });
    const urls = ['/api/tiles/sample/info', '/api/tiles/sample/0/0/0.jpg', '/api/tiles/sample/batch?tiles=0/0/0.jpg', '/api/tiles/sample/cache-stats'];
    for (const url of urls) expect((await fetch(`${c.url}${url}`)).status).toBe(401);
    expect((await fetch(`${c.url}/api/tiles/sample/batch`, { method: 'POST', body: '{"tiles":["0/0/0.jpg"]}' })).status).toBe(401);
    expect((await fetch(`${c.url}/api/tiles/sample/cache-clear`, { method: 'POST' })).status).toBe(401);
    expect(counter.gets).toEqual([]);
    for (const url of urls) expect((await fetch(`${c.url}${url}`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
  });
});

/**
 * One HTTP contract, two engines: every test below runs against the Node
 * companion and against the Worker in workerd (test/contract/engines.ts),
 * over real sockets on 127.0.0.1, with the same objects in their R2.
 * What differs between the engines is by design and is written down in
 * DIFFERENCES; a test that meets a difference reads it from there, so no
 * engine skips a test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromBase64 } from '../../src/shared/base64.ts';
import { BATCH_CONTENT_TYPE, readBatchStream, type BatchFrame } from '../../src/shared/batch-protocol.ts';
import type { CacheStatsBody } from '../../src/server/routes/cache-routes.ts';
import { buildWorkerBundle, type WorkerBundle } from '../support/worker-bundle.ts';
import { INFO, makeDataset, mixedFormat, tileBytes } from '../support/tile-datasets.ts';
import { startNodeEngine, startWorkersEngine, type EngineName, type RunningEngine } from './engines.ts';

const AUTH = 'contract-reader-0123456789';
const ADMIN = 'contract-admin-0123456789';
const ORIGIN = 'https://viewer.example';
/** `demo`: every tile a jpg. `mixed`: level 2 png/webp, level 1 jpg, 1/1/1 missing. */
const objects = new Map<string, Uint8Array>([...makeDataset('demo'), ...makeDataset('mixed', mixedFormat)]);

interface EngineDifferences {
  /** `source` in cache-stats: the Node companion here reads R2 over HTTP; the Worker through its binding. */
  source: string;
  /** cache-stats has an `edgeCache` section (the `caches.default` tier) only on Workers. */
  edgeCache: boolean;
  /**
   * After cache-clear, does reading a tile again reach R2? Node: yes, every
   * object tried. Workers: no: cache-clear empties the isolate's memory, but
   * `caches.default` is shared by every isolate of a location and cannot be
   * listed, so its entries stay; they are keyed by the dataset version, so a
   * new info.json version is what makes them unreachable.
   */
  clearReachesR2: boolean;
}

const DIFFERENCES: Record<EngineName, EngineDifferences> = {
  node: { source: 'r2-public-url', edgeCache: false, clearReachesR2: true },
  workers: { source: 'r2-binding', edgeCache: true, clearReachesR2: false },
};

const ENGINES: EngineName[] = ['node', 'workers'];
let bundle: WorkerBundle;

beforeAll(async () => {
  bundle = await buildWorkerBundle();
});
afterAll(async () => {
  await bundle?.remove();
});

describe('the Worker bundle', () => {
  it('holds no Node-only module and no node: import', async () => {
    const nodeOnly = ['node-server.ts', 'main.ts', 'pool-fetch.ts', 'local-folder.ts', 'source-from-config.ts', 'node_modules/undici', 'node_modules/@hono/node-server'];
    for (const module of nodeOnly) expect(bundle.sources.filter((source) => source.includes(module))).toEqual([]);
    expect(bundle.sources.some((source) => source.endsWith('src/server/workers-entry.ts'))).toBe(true);
    const { readFile } = await import('node:fs/promises');
    expect(await readFile(bundle.scriptPath, 'utf8')).not.toMatch(/from\s*["']node:/);
    // The Workers Free plan takes 3 MB after compression; this stays far below.
    expect(bundle.bytes).toBeLessThan(1_000_000);
    console.log(`Worker bundle: ${bundle.sizeLine}`);
  });
});

describe.each(ENGINES)('HTTP contract on the %s engine', (name) => {
  const differs = DIFFERENCES[name];
  let engine: RunningEngine;

  beforeAll(async () => {
    const settings = { authToken: AUTH, adminToken: ADMIN, corsOrigins: [ORIGIN] };
    engine = name === 'node' ? await startNodeEngine(objects, settings) : await startWorkersEngine(objects, settings, bundle.scriptPath);
  });
  afterAll(async () => {
    await engine?.stop();
  });

  /** A request carrying the reader token unless `token` says otherwise (null: none). */
  const call = (path: string, init: RequestInit = {}, token: string | null = AUTH) =>
    fetch(`${engine.url}${path}`, {
      ...init,
      headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(init.headers as Record<string, string> | undefined) },
    });
  const bytesOf = async (response: Response) => new Uint8Array(await response.arrayBuffer());
  const errorOf = async (response: Response) => ((await response.json()) as { error: { code: string; message: string } }).error;
  const stats = async (dataset: string) => (await (await call(`/api/tiles/${dataset}/cache-stats`)).json()) as CacheStatsBody;

  it('info: the dataset\'s info.json, its version as ETag, no-cache, 304 on revalidation', async () => {
    const info = await call('/api/tiles/demo/info');
    expect(info.status).toBe(200);
    // The companion adds the layout it found and how levels halve (shared/layouts).
    expect(await info.json()).toEqual({ ...INFO, layout: 'own', rounding: 'ceil' });
    expect(info.headers.get('ETag')).toBe(`"${INFO.version}"`);
    // Behind AUTH_TOKEN: the browser may keep it, a shared cache never.
    expect(info.headers.get('Cache-Control')).toBe('private, no-cache');
    const again = await call('/api/tiles/demo/info', { headers: { 'If-None-Match': `"${INFO.version}"` } });
    expect(again.status).toBe(304);
  });

  it('a single tile: its bytes, type and validators; a repeat costs no R2 read; 304 on If-None-Match', async () => {
    const before = await engine.r2TileReads();
    const tile = await call('/api/tiles/demo/2/1/1.jpg');
    expect(tile.status).toBe(200);
    expect(await bytesOf(tile)).toEqual(tileBytes('demo', 2, 1, 1, 'jpg'));
    expect(tile.headers.get('Content-Type')).toBe('image/jpeg');
    expect(tile.headers.get('X-Tile-Format')).toBe('jpg');
    expect(tile.headers.get('Cache-Control')).toBe('private, max-age=3600');
    expect(tile.headers.get('Vary')).toMatch(/^Authorization, Cookie/); // CORS may add Origin
    const etag = tile.headers.get('ETag')!;
    expect(etag).toMatch(/^"[^"]+"$/);
    expect(await engine.r2TileReads()).toBe(before + 1);

    const repeat = await call('/api/tiles/demo/2/1/1.jpg');
    expect(await bytesOf(repeat)).toEqual(tileBytes('demo', 2, 1, 1, 'jpg'));
    const notModified = await call('/api/tiles/demo/2/1/1.jpg', { headers: { 'If-None-Match': etag } });
    expect(notModified.status).toBe(304);
    expect(notModified.headers.get('ETag')).toBe(etag);
    expect(await engine.r2TileReads()).toBe(before + 1);
    expect((await stats('demo')).counters).toMatchObject({ notModified: 1 });
  });

  it('format fallback: a jpg asked for, the png served and named; R2 read once per format tried', async () => {
    const before = await engine.r2TileReads();
    const tile = await call('/api/tiles/mixed/2/0/0.jpg');
    expect(tile.status).toBe(200);
    expect(tile.headers.get('X-Tile-Format')).toBe('png');
    expect(tile.headers.get('Content-Type')).toBe('image/png');
    expect(await bytesOf(tile)).toEqual(tileBytes('mixed', 2, 0, 0, 'png'));
    expect(await engine.r2TileReads()).toBe(before + 2);
    // The level's format is remembered: the neighbour costs one read, not two.
    await call('/api/tiles/mixed/2/1/0.jpg');
    expect(await engine.r2TileReads()).toBe(before + 3);
  });

  it('JSON batch (GET and POST): base64 per tile, null for a tile that exists in no format', async () => {
    const get = await call('/api/tiles/mixed/batch?tiles=1/0/0.jpg&tiles=1/1/1.jpg&tiles=2/3/2.jpg');
    expect(get.status).toBe(200);
    expect(get.headers.get('Content-Type')).toMatch(/^application\/json/);
    const { tiles } = (await get.json()) as { tiles: Record<string, string | null> };
    expect(Object.keys(tiles).sort()).toEqual(['1/0/0.jpg', '1/1/1.jpg', '2/3/2.jpg']);
    expect(fromBase64(tiles['1/0/0.jpg']!)).toEqual(tileBytes('mixed', 1, 0, 0, 'jpg'));
    expect(fromBase64(tiles['2/3/2.jpg']!)).toEqual(tileBytes('mixed', 2, 3, 2, 'webp'));
    expect(tiles['1/1/1.jpg']).toBeNull();

    const post = await call('/api/tiles/demo/batch', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ tiles: ['0/0/0.jpg', '1/1/0.jpg', '0/0/0.jpg'] }) });
    const body = (await post.json()) as { tiles: Record<string, string | null> };
    expect(Object.keys(body.tiles).sort()).toEqual(['0/0/0.jpg', '1/1/0.jpg']);
    expect(fromBase64(body.tiles['1/1/0.jpg']!)).toEqual(tileBytes('demo', 1, 1, 0, 'jpg'));
  });

  it('binary batch: one frame per tile with its own status, then the end frame', async () => {
    const response = await call('/api/tiles/mixed/batch', {
      method: 'POST',
      headers: { Accept: BATCH_CONTENT_TYPE, 'Content-Type': 'application/json' },
      body: JSON.stringify({ tiles: ['1/0/1.jpg', '1/1/1.jpg', '2/2/0.jpg'] }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toBe(BATCH_CONTENT_TYPE);
    const frames = new Map<string, BatchFrame>();
    // readBatchStream throws when the end frame is missing.
    for await (const frame of readBatchStream(response.body!)) frames.set(frame.key, frame);
    expect([...frames.keys()].sort()).toEqual(['1/0/1.jpg', '1/1/1.jpg', '2/2/0.jpg']);
    expect(frames.get('1/0/1.jpg')).toMatchObject({ status: 200, contentType: 'image/jpeg', body: tileBytes('mixed', 1, 0, 1, 'jpg') });
    expect(frames.get('2/2/0.jpg')).toMatchObject({ status: 200, contentType: 'image/webp', body: tileBytes('mixed', 2, 2, 0, 'webp') });
    expect(frames.get('2/2/0.jpg')!.etag).toMatch(/^"[^"]+"$/);
    expect(frames.get('1/1/1.jpg')!.status).toBe(404);
  });

  const tooMany = JSON.stringify({ tiles: Array.from({ length: 101 }, (_, i) => `2/${i % 4}/${Math.floor(i / 4)}.jpg`) });
  const errors: Array<{ what: string; path: string; init?: RequestInit; token?: string | null; status: number; code: string }> = [
    { what: 'a malformed tile key', path: '/api/tiles/demo/2/x/0.jpg', status: 400, code: 'BAD_TILE_KEY' },
    { what: 'a tile outside the levels of info.json', path: '/api/tiles/demo/9/0/0.jpg', status: 400, code: 'BAD_TILE_KEY' },
    { what: '101 tiles in one batch', path: '/api/tiles/demo/batch', init: { method: 'POST', body: tooMany }, status: 400, code: 'TOO_MANY_TILES' },
    { what: 'a batch naming no tile', path: '/api/tiles/demo/batch', status: 400, code: 'BAD_REQUEST' },
    { what: 'no token', path: '/api/tiles/demo/1/0/0.jpg', token: null, status: 401, code: 'UNAUTHORIZED' },
    { what: 'a wrong token', path: '/api/tiles/demo/batch?tiles=1/0/0.jpg', token: 'not-the-token-at-all', status: 403, code: 'FORBIDDEN' },
    { what: 'the reader token on cache-clear', path: '/api/tiles/demo/cache-clear', init: { method: 'POST' }, status: 403, code: 'FORBIDDEN' },
    { what: 'an unknown dataset', path: '/api/tiles/nothing/info', status: 404, code: 'NOT_FOUND' },
    { what: 'a tile in no format', path: '/api/tiles/mixed/1/1/1.jpg', status: 404, code: 'NOT_FOUND' },
    { what: 'an unknown endpoint', path: '/api/nothing-here', status: 404, code: 'NOT_FOUND' },
    { what: 'a URL over 8 KiB', path: `/api/tiles/demo/batch?${'tiles=1/0/0.jpg&'.repeat(600)}`, status: 413, code: 'PAYLOAD_TOO_LARGE' },
    { what: 'a batch body over 16 KiB', path: '/api/tiles/demo/batch', init: { method: 'POST', body: 'x'.repeat(20_000) }, status: 413, code: 'PAYLOAD_TOO_LARGE' },
  ];

  it.each(errors)('$what -> $status $code as { error: { code, message } }', async ({ path, init, token, status, code }) => {
    const response = await call(path, init, token === undefined ? AUTH : token);
    expect(response.status).toBe(status);
    expect(response.headers.get('Content-Type')).toMatch(/^application\/json/);
    const error = await errorOf(response);
    expect(error.code).toBe(code);
    expect(error.message.length).toBeGreaterThan(10);
  });

  it('the tile_token cookie is accepted like the Bearer token', async () => {
    expect((await call('/api/tiles/demo/info', { headers: { Cookie: `tile_token=${AUTH}` } }, null)).status).toBe(200);
  });

  it('CORS: preflights answered for the listed origin only, before auth; tile headers exposed', async () => {
    const preflight = (origin: string) =>
      call('/api/tiles/demo/batch', { method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization' } }, null);
    const allowed = await preflight(ORIGIN);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('Access-Control-Allow-Origin')).toBe(ORIGIN);
    expect(allowed.headers.get('Access-Control-Allow-Headers')?.toLowerCase()).toContain('authorization');
    expect((await preflight('https://evil.example')).headers.get('Access-Control-Allow-Origin')).toBeNull();
    const tile = await call('/api/tiles/demo/1/0/0.jpg', { headers: { Origin: ORIGIN } });
    expect(tile.headers.get('Access-Control-Allow-Origin')).toBe(ORIGIN);
    expect(tile.headers.get('Access-Control-Expose-Headers')).toContain('X-Tile-Format');
  });

  it('cache-stats: counters, memory cache, R2 operations, and the edge tier where there is one', async () => {
    const body = await stats('demo');
    expect(body).toMatchObject({ dataset: 'demo', source: differs.source });
    expect(body.counters.tileRequests).toBeGreaterThan(0);
    expect(body.cache.entries).toBeGreaterThan(0);
    expect(body.cache.hits).toBe(body.counters.cacheHits);
    expect(body.upstream!.classBOperations).toBeGreaterThan(0);
    expect(body.upstream!.estimatedCostUsd).toBeCloseTo((body.upstream!.classBOperations * 0.36) / 1e6);
    expect(body.all.counters.tileRequests).toBeGreaterThanOrEqual(body.counters.tileRequests);
    if (differs.edgeCache) {
      // Every object read went to the edge first; those it could not answer went on to R2.
      expect(body.edgeCache).toMatchObject({ hits: expect.any(Number), misses: expect.any(Number) });
      expect(body.edgeCache!.misses).toBeGreaterThan(0);
      expect(body.upstream!.classBOperations).toBeGreaterThanOrEqual(body.edgeCache!.misses);
    } else {
      expect(body.edgeCache).toBeNull();
    }
  });

  it('cache-clear (admin token): empties the dataset\'s memory; what the next read costs is the engine\'s', async () => {
    // Both were read before: 2/0/0 walked jpg (absent) then png; 1/1/1 exists in no format.
    await call('/api/tiles/mixed/2/0/0.jpg');
    await call('/api/tiles/mixed/1/1/1.jpg');
    if (differs.edgeCache) {
      // Edge writes land after the answers (waitUntil): wait until every miss has been written back.
      await expect.poll(async () => {
        const edge = (await stats('mixed')).all.edgeCache!;
        return edge.puts + edge.errors - edge.misses;
      }, { timeout: 20_000 }).toBe(0);
    }
    const cleared = await call('/api/tiles/mixed/cache-clear', { method: 'POST' }, ADMIN);
    expect(cleared.status).toBe(200);
    const result = (await cleared.json()) as { dataset: string; removed: number };
    expect(result.dataset).toBe('mixed');
    expect(result.removed).toBeGreaterThan(0);
    expect((await stats('mixed')).cache.entries).toBe(0);

    const before = await engine.r2TileReads();
    const edgeBefore = (await stats('mixed')).edgeCache;
    const again = await call('/api/tiles/mixed/2/0/0.jpg');
    expect(await bytesOf(again)).toEqual(tileBytes('mixed', 2, 0, 0, 'png'));
    expect((await call('/api/tiles/mixed/1/1/1.jpg')).status).toBe(404);
    // Format memory and negative entries went too: jpg then png, and jpg, png, webp for the absent tile.
    expect(await engine.r2TileReads()).toBe(before + (differs.clearReachesR2 ? 2 + 3 : 0));
    if (differs.edgeCache) {
      const edgeAfter = (await stats('mixed')).edgeCache!;
      expect(edgeAfter.hits - edgeBefore!.hits).toBe(1);
      expect(edgeAfter.absentHits - edgeBefore!.absentHits).toBe(4);
    }
  });
});

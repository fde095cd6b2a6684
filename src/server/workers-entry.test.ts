/**
 * The Workers entry with an in-memory bucket implementing the binding's
 * `get()`: the bucket counts its own reads, as R2 would bill them.
 */
import { describe, expect, it } from 'vitest';
import worker, { appFor, type WorkerEnv } from './workers-entry.ts';
import type { R2BucketLike, R2ObjectBodyLike } from './sources/r2-binding.ts';
import { imageEnvelope } from '../shared/testing/image-envelope.ts';
import type { EdgeCacheStore } from './workers/edge-cache.ts';

/** caches.default as a map: shared by every "isolate" (app) built over it, as in one Cloudflare location. */
class MemoryEdge implements EdgeCacheStore {
  readonly entries = new Map<string, { body: ArrayBuffer; headers: Headers }>();
  async match(key: string): Promise<Response | undefined> {
    const entry = this.entries.get(key);
    return entry && new Response(entry.body.byteLength ? entry.body : null, { headers: entry.headers });
  }
  async put(key: string, response: Response): Promise<void> {
    this.entries.set(key, { body: await response.arrayBuffer(), headers: response.headers });
  }
}

class MemoryBucket implements R2BucketLike {
  readonly reads: string[] = [];
  constructor(readonly objects: Map<string, Uint8Array>) {}

  async get(key: string): Promise<R2ObjectBodyLike | null> {
    this.reads.push(key);
    const bytes = this.objects.get(key);
    if (!bytes) return null;
    return { arrayBuffer: async () => bytes.slice().buffer, httpEtag: `"etag-${bytes.length}"` };
  }
}

const info = { width: 512, height: 256, tileSize: 256, overlap: 0, minLevel: 0, maxLevel: 1, format: 'jpg', version: 'w1' };
const jpg = imageEnvelope('jpeg', new Uint8Array([9, 9]));
const png = imageEnvelope('png', new Uint8Array([7]));

function env(extra: Omit<Partial<WorkerEnv>, 'TILES'> = {}): WorkerEnv & { TILES: MemoryBucket } {
  const objects = new Map<string, Uint8Array>([
    ['demo/info.json', new TextEncoder().encode(JSON.stringify(info))],
    ['demo/1/0/0.jpg', jpg],
    ['demo/1/1/0.png', png],
  ]);
  return { TILES: new MemoryBucket(objects), ...extra };
}

const get = (e: WorkerEnv, path: string, init?: RequestInit) => worker.fetch(new Request(`https://tiles.example${path}`, init), e);

describe('Cloudflare Workers entry (R2 binding)', () => {
  it('serves tiles, falls back across formats, batches, and reads each object once', async () => {
    const e = env();
    const tile = await get(e, '/api/tiles/demo/1/0/0.jpg');
    expect(tile.status).toBe(200);
    expect(tile.headers.get('ETag')).toBe(`"etag-${jpg.length}"`);
    expect(new Uint8Array(await tile.arrayBuffer())).toEqual(jpg);

    const fallback = await get(e, '/api/tiles/demo/1/1/0.jpg');
    expect(fallback.headers.get('X-Tile-Format')).toBe('png');
    expect(new Uint8Array(await fallback.arrayBuffer())).toEqual(png);

    const batch = await get(e, '/api/tiles/demo/batch?tiles=1/0/0.jpg&tiles=1/1/0.jpg');
    expect(Object.keys(((await batch.json()) as { tiles: object }).tiles)).toHaveLength(2);
    expect(e.TILES.reads).toEqual(['demo/info.json', 'demo/1/0/0.jpg', 'demo/1/1/0.jpg', 'demo/1/1/0.png']);
    const stats = (await (await get(e, '/api/tiles/demo/cache-stats')).json()) as { source: string; upstream: { classBOperations: number } };
    expect(stats).toMatchObject({ source: 'r2-binding', upstream: { classBOperations: 4 } });
  });

  it('takes AUTH_TOKEN from the Worker env, and refuses a weak one with a clear message', async () => {
    const e = env({ AUTH_TOKEN: 'worker-secret-0123456789' });
    expect((await get(e, '/api/tiles/demo/info')).status).toBe(401);
    expect((await get(e, '/api/tiles/demo/info', { headers: { Authorization: 'Bearer worker-secret-0123456789' } })).status).toBe(200);
    expect(() => appFor(env({ AUTH_TOKEN: 'weak' }))).toThrow(/AUTH_TOKEN is too weak/);
  });

  it('maps a failing binding to 502 UPSTREAM_ERROR', async () => {
    const broken: R2BucketLike = { get: async () => Promise.reject(new Error('R2 is having a day')) };
    const response = await get({ TILES: broken }, '/api/tiles/demo/info');
    expect(response.status).toBe(502);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('UPSTREAM_ERROR');
  });

  it('a second isolate reads tiles and absences from caches.default: no R2 get, and cache-stats says so', async () => {
    const edge = new MemoryEdge();
    const first = env();
    const firstApp = appFor(first, edge);
    await (await firstApp.app.request('/api/tiles/demo/1/1/0.jpg')).arrayBuffer(); // jpg absent, png found
    await firstApp.edge.whenIdle();
    expect(edge.entries.size).toBe(2);

    const second = env(); // another bucket binding object: another isolate, empty memory
    const secondApp = appFor(second, edge);
    const tile = await secondApp.app.request('/api/tiles/demo/1/1/0.jpg');
    expect(tile.headers.get('X-Tile-Format')).toBe('png');
    expect(new Uint8Array(await tile.arrayBuffer())).toEqual(png);
    expect(second.TILES.reads).toEqual(['demo/info.json']);
    const stats = (await (await secondApp.app.request('/api/tiles/demo/cache-stats')).json()) as {
      upstream: { classBOperations: number };
      edgeCache: { hits: number; absentHits: number; misses: number };
    };
    expect(stats.upstream.classBOperations).toBe(1);
    expect(stats.edgeCache).toMatchObject({ hits: 1, absentHits: 1, misses: 0 });
  });
});


/**
 * The edge tier with a hand-made store: what it counts, and that a failing
 * Cache API is a miss (R2 still answers), never a failed tile.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config.ts';
import { EdgeCache, type EdgeCacheStore } from './edge-cache.ts';
import { loadWorkerConfig, WORKER_DEFAULTS } from './worker-config.ts';

const object = { bytes: new Uint8Array([1, 2, 3]), contentType: 'image/png', etag: '"e1"' };

function mapStore(): EdgeCacheStore & { keys: string[] } {
  const entries = new Map<string, Response>();
  return {
    keys: [],
    async match(key) {
      return entries.get(key)?.clone();
    },
    async put(key, response) {
      this.keys.push(key);
      entries.set(key, response);
    },
  };
}

describe('EdgeCache', () => {
  it('stores objects and absences under the origin and versioned key, and counts hits, absences and misses', async () => {
    const store = mapStore();
    const edge = new EdgeCache(store, { ttlSeconds: 60, absentTtlSeconds: 5 });
    edge.useOrigin('https://tiles.example');
    expect(await edge.lookup('demo', 'demo@v1/1/0/0.png')).toEqual({ kind: 'miss' });
    edge.put('demo', 'demo@v1/1/0/0.png', object);
    edge.put('demo', 'demo@v1/1/0/0.jpg', null);
    await edge.whenIdle();
    expect(store.keys).toEqual(['https://tiles.example/__tile-accelerator/edge/demo@v1/1/0/0.png', 'https://tiles.example/__tile-accelerator/edge/demo@v1/1/0/0.jpg']);
    expect(await edge.lookup('demo', 'demo@v1/1/0/0.png')).toEqual({ kind: 'hit', object });
    expect(await edge.lookup('demo', 'demo@v1/1/0/0.jpg')).toEqual({ kind: 'absent' });
    expect(edge.dataset('demo')).toMatchObject({ hits: 1, absentHits: 1, misses: 1, puts: 2, errors: 0, hitRate: 2 / 3 });
    expect(edge.overall().hits).toBe(1);
  });

  it('treats a failing store as a miss and a failed write as an error, without throwing', async () => {
    const broken: EdgeCacheStore = { match: () => Promise.reject(new Error('cache down')), put: () => Promise.reject(new Error('cache full')) };
    const edge = new EdgeCache(broken, { ttlSeconds: 60, absentTtlSeconds: 5 });
    expect(await edge.lookup('demo', 'demo@v1/0/0/0.jpg')).toEqual({ kind: 'miss' });
    edge.put('demo', 'demo@v1/0/0/0.jpg', object);
    await edge.whenIdle();
    expect(edge.dataset('demo')).toMatchObject({ hits: 0, misses: 1, puts: 0, errors: 2 });
  });
});

describe('Worker configuration', () => {
  it('defaults the memory tier to fit an isolate and the edge tier to a day', () => {
    expect(loadWorkerConfig({})).toMatchObject({
      tileCacheMaxBytes: WORKER_DEFAULTS.tileCacheMaxBytes,
      edgeCacheTtlSeconds: 86_400,
      edgeAbsentTtlSeconds: 3_600,
      logRequests: true,
      authToken: undefined,
    });
    expect(loadWorkerConfig({ EDGE_CACHE_TTL_SECONDS: '0', LOG_REQUESTS: 'false' })).toMatchObject({ edgeCacheTtlSeconds: 0, logRequests: false });
  });

  it.each([
    [{ TILE_CACHE_MAX_BYTES: String(256 * 1024 * 1024) }, /too large for a Worker/],
    [{ EDGE_CACHE_TTL_SECONDS: 'a day' }, /EDGE_CACHE_TTL_SECONDS="a day" is invalid/],
    [{ LOG_REQUESTS: 'maybe' }, /LOG_REQUESTS="maybe" is invalid/],
    [{ AUTH_TOKEN: 'short' }, /AUTH_TOKEN is too weak/],
  ])('refuses %o with one line naming the variable', (vars, message) => {
    expect(() => loadWorkerConfig(vars)).toThrow(ConfigError);
    expect(() => loadWorkerConfig(vars)).toThrow(message);
  });
});

import { describe, expect, it } from 'vitest';
import { frameIsTile } from './accelerator.ts';
import { DirectClient } from './direct-client.ts';
import { FakeTileDb } from './fake-tile-db.ts';
import { IdbTier } from './idb-tier.ts';
import { MemoryTier } from './memory-tier.ts';
import { Revalidator } from './revalidator.ts';
import { TileDbHandle } from './tile-db.ts';
import { identify } from './tile-identity.ts';
import { TileStore } from './tile-store.ts';

const PNG_END = [0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82];
const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4, ...PNG_END]);
const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 0xff, 0xd9]);
const html = new TextEncoder().encode('<!DOCTYPE html><p>Service Unavailable</p>');

/** Bodies an upstream may answer `200` with that are no tile, as [what, bytes, content type]. */
const WRONG: Array<[string, Uint8Array<ArrayBuffer>, string]> = [
  ['an HTML error page served as JPEG', html, 'image/jpeg'],
  ['an empty body', new Uint8Array(0), 'image/jpeg'],
  ['a truncated JPEG', jpeg.subarray(0, 6), 'image/jpeg'],
  ['a PNG served as JPEG', png, 'image/jpeg'],
];

const id = (n: number) => identify({ source: 's', level: 3, x: n, y: 0, ext: 'jpg', url: `http://127.0.0.1:9/t/3/${n}_0.jpg` }, 'v1');
const tile = (bytes: Uint8Array<ArrayBuffer>, contentType: string) => ({ body: new Blob([bytes]), contentType, etag: '', storedAt: 0 });

function store(db = new FakeTileDb()) {
  return { db, store: new TileStore(new MemoryTier(1 << 20), new IdbTier(new TileDbHandle(async () => db.asDb()), { maxBytes: 1 << 20, quotaShare: 1, touchFlushMs: 5, estimate: async () => ({}) })) };
}

describe('nothing wrong is cached in the worker', () => {
  it.each(WRONG)('TileStore refuses %s in memory and IndexedDB, and keeps the good tiles of the same write', async (_what, bytes, contentType) => {
    const { db, store: s } = store();
    await s.putMany([{ id: id(0), tile: tile(bytes, contentType) }, { id: id(1), tile: tile(jpeg, 'image/jpeg') }]);
    expect(s.memory.get(id(0).key)).toBeUndefined();
    expect(db.stores.tiles!.has(id(0).key)).toBe(false);
    expect(s.memory.get(id(1).key)).toBeDefined();
    expect(db.stores.tiles!.has(id(1).key)).toBe(true);
    expect(s.refused).toBe(1);
  });

  it.each(WRONG)('a batch frame with %s is no tile', (_what, body, contentType) => {
    expect(frameIsTile({ key: '3/0/0.jpg', status: 200, contentType, etag: '', body })).toBe(false);
    expect(frameIsTile({ key: '3/0/0.jpg', status: 200, contentType: 'image/png', etag: '', body: png })).toBe(true);
  });

  it.each(WRONG)('the direct client calls a 200 with %s not storable and says why', async (_what, bytes, contentType) => {
    const client = new DirectClient({ fetch: async () => new Response(bytes, { status: 200, headers: { 'Content-Type': contentType } }), concurrency: 1, maxPending: 1, timeoutMs: 5000 });
    const result = await client.request(id(0), { headers: [], credentials: 'omit' });
    expect(result.storable).toBe(false);
    expect(result.problem).toBeTruthy();
  });

  it('the direct client calls a body shorter than its Content-Length not storable', async () => {
    const client = new DirectClient({ fetch: async () => new Response(jpeg, { status: 200, headers: { 'Content-Type': 'image/jpeg', 'Content-Length': '4096' } }), concurrency: 1, maxPending: 1, timeoutMs: 5000 });
    expect((await client.request(id(0), { headers: [], credentials: 'omit' })).storable).toBe(false);
  });

  it('revalidation keeps the stored tile when the upstream answers an HTML 200', async () => {
    const { db, store: s } = store();
    const good = tile(jpeg, 'image/jpeg');
    await s.put(id(0), good);
    const revalidator = new Revalidator({ fetch: async () => new Response(html, { status: 200, headers: { 'Content-Type': 'image/jpeg', ETag: '"new"' } }), store: s, maxAgeMs: 0, timeoutMs: 5000 });
    await revalidator.revalidate(id(0), good, { headers: [], credentials: 'omit' });
    expect(revalidator.replaced).toBe(0);
    const stored = db.stores.tiles!.get(id(0).key) as unknown as { blob: Blob };
    expect(new Uint8Array(await stored.blob.arrayBuffer())).toEqual(jpeg);
  });
});

describe('worker fetch timeouts', () => {
  it('a per-tile fetch that never answers is given up after the timeout (the request then passes through)', async () => {
    let signal: AbortSignal | undefined;
    const hang = (request: Request) => {
      signal = request.signal;
      return new Promise<Response>((_resolve, reject) => request.signal.addEventListener('abort', () => reject(request.signal.reason)));
    };
    const client = new DirectClient({ fetch: hang, concurrency: 1, maxPending: 1, timeoutMs: 20 });
    await expect(client.request(id(0), { headers: [], credentials: 'omit' })).rejects.toThrow();
    expect(signal?.aborted).toBe(true);
  });
});

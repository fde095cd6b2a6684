import { describe, expect, it, vi } from 'vitest';
import { IdbTier } from './idb-tier.ts';
import { TileDbHandle } from './tile-db.ts';
import { FakeTileDb } from './fake-tile-db.ts';

describe('IdbTier without IndexedDB', () => {
  it('turns an unopenable database into misses, never into failures', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    let opens = 0;
    const handle = new TileDbHandle(() => {
      opens += 1;
      return Promise.reject(new DOMException('storage disabled', 'InvalidStateError'));
    });
    const tier = new IdbTier(handle, { maxBytes: 1000, quotaShare: 0.5, touchFlushMs: 10, estimate: async () => ({ quota: 100 }) });
    expect(await tier.get('d@v/0/0/0')).toBeUndefined();
    const tile = { body: new Blob([new Uint8Array(10)]), contentType: 'image/jpeg', etag: '', storedAt: 0 };
    await expect(tier.putMany([{ key: 'd@v/0/0/0', tile }])).resolves.toBeUndefined();
    expect(await tier.usage()).toEqual({ available: false, bytes: 0, entries: 0, budget: 50 });
    expect(opens).toBe(1); // tried once, not on every tile
    warn.mockRestore();
  });
});

/** A JPEG as far as the checks go: SOI, filler, EOI; `bytes` long. */
function jpeg(bytes: number, fill = 1): Uint8Array<ArrayBuffer> {
  const body = new Uint8Array(bytes).fill(fill);
  body.set([0xff, 0xd8, 0xff, 0xe0]);
  body.set([0xff, 0xd9], bytes - 2);
  return body;
}

function record(key: string, body: Uint8Array<ArrayBuffer>, lastAccess: number, contentType = 'image/jpeg', regions?: string[]) {
  return { key, blob: new Blob([body]), bytes: body.length, contentType, etag: '', storedAt: 0, lastAccess, ...(regions ? { regions } : {}) };
}

function seed(db: FakeTileDb, records: Array<ReturnType<typeof record>>): void {
  for (const r of records) db.stores.tiles!.set(r.key, r);
  db.stores.meta!.set('usage', { key: 'usage', bytes: records.reduce((s, r) => s + r.bytes, 0), entries: records.length });
}

const options = { maxBytes: 1_000_000, quotaShare: 0.5, touchFlushMs: 5, estimate: async () => ({}) };

describe('IdbTier reads', () => {
  it('deletes an entry that is no whole image of its type and answers a miss (a cache an older build poisoned heals)', async () => {
    const db = new FakeTileDb();
    const html = new TextEncoder().encode('<!DOCTYPE html><html>503</html>');
    seed(db, [record('d@v/0/0/0', html, 1), record('d@v/0/0/1', new Uint8Array(0), 1), record('d@v/0/0/2', jpeg(50).subarray(0, 40), 1), record('d@v/0/0/3', jpeg(50), 1)]);
    const tier = new IdbTier(new TileDbHandle(async () => db.asDb()), options);
    expect(await tier.get('d@v/0/0/0')).toBeUndefined();
    expect(await tier.get('d@v/0/0/1')).toBeUndefined();
    expect(await tier.get('d@v/0/0/2')).toBeUndefined();
    const good = await tier.get('d@v/0/0/3');
    expect(new Uint8Array(await good!.body.arrayBuffer())).toEqual(jpeg(50));
    expect([...db.stores.tiles!.keys()]).toEqual(['d@v/0/0/3']);
    expect(db.stores.meta!.get('usage')).toMatchObject({ bytes: 50, entries: 1 });
    expect(tier.healed).toBe(3);
  });

  it('writes the last-access mark of a hit by the time touchesFlushed() settles', async () => {
    const db = new FakeTileDb();
    seed(db, [record('d@v/0/0/0', jpeg(20), 1)]);
    const tier = new IdbTier(new TileDbHandle(async () => db.asDb()), options);
    await tier.get('d@v/0/0/0');
    await tier.touchesFlushed();
    expect((db.stores.tiles!.get('d@v/0/0/0') as unknown as { lastAccess: number }).lastAccess).toBeGreaterThan(1);
  });
});

describe('IdbTier under storage pressure', () => {
  it('on QuotaExceededError frees room relative to the write and the store, never pinned tiles, and stores the write', async () => {
    const db = new FakeTileDb();
    const held = [record('pinned', jpeg(100), 0, 'image/jpeg', ['region-1']), ...Array.from({ length: 9 }, (_, i) => record(`d@v/1/0/${i}`, jpeg(100), i + 1))];
    seed(db, held);
    db.diskBytes = 1000; // full: the disk, not our 1 MB budget, says no
    const evictions: number[] = [];
    const errors: string[] = [];
    const tier = new IdbTier(new TileDbHandle(async () => db.asDb()), { ...options, onEvict: (n) => evictions.push(n), onError: (what) => errors.push(what) });
    await tier.putMany([{ key: 'd@v/2/0/0', tile: { body: new Blob([jpeg(100)]), contentType: 'image/jpeg', etag: '', storedAt: 0 } }]);
    expect(errors).toEqual([]);
    expect(db.stores.tiles!.has('d@v/2/0/0')).toBe(true);
    expect(db.stores.tiles!.has('pinned')).toBe(true);
    // max(2 × 100, 10% of 1000) = 200 bytes: the two least recently used tiles, and no more.
    expect(db.stores.tiles!.has('d@v/1/0/0')).toBe(false);
    expect(db.stores.tiles!.has('d@v/1/0/1')).toBe(false);
    expect(db.stores.tiles!.size).toBe(9);
    expect(evictions).toEqual([2]);
    expect(db.stores.meta!.get('usage')).toMatchObject({ bytes: 900, entries: 9 });
  });
});

describe('IdbTier under a quota that wants room to spare', () => {
  it('frees more before each retry until the write fits, and stores it', async () => {
    const db = new FakeTileDb();
    seed(db, [record('pinned', jpeg(100), 0, 'image/jpeg', ['region-1']), ...Array.from({ length: 10 }, (_, i) => record(`d@v/1/0/${i}`, jpeg(100), i + 1))]);
    db.diskBytes = 1100;
    db.writeHeadroom = 8; // a 100-byte put needs 800 bytes free: the store must shrink to 300 bytes
    const evictions: number[] = [];
    const errors: string[] = [];
    const tier = new IdbTier(new TileDbHandle(async () => db.asDb()), { ...options, onEvict: (n) => evictions.push(n), onError: (what) => errors.push(what) });
    await tier.putMany([{ key: 'd@v/2/0/0', tile: { body: new Blob([jpeg(100)]), contentType: 'image/jpeg', etag: '', storedAt: 0 } }]);
    expect(errors).toEqual([]);
    expect(db.stores.tiles!.has('d@v/2/0/0')).toBe(true);
    expect(db.stores.tiles!.has('pinned')).toBe(true);
    // 1, 2 then 3 × max(2 × 100, 10% of what is held): 2, 4, then the last 4 unpinned tiles.
    expect(evictions).toEqual([2, 4, 4]);
  });
});

describe('IdbTier when the quota refuses the usage record after an eviction', () => {
  it('reports no error, and the next write takes the evicted bytes off the record', async () => {
    const db = new FakeTileDb();
    seed(db, Array.from({ length: 10 }, (_, i) => record(`d@v/1/0/${i}`, jpeg(100), i + 1)));
    db.diskBytes = 1000;
    const errors: string[] = [];
    const tier = new IdbTier(new TileDbHandle(async () => db.asDb()), { ...options, onError: (what) => errors.push(what) });
    // The write is refused, the eviction's deletes commit, its usage record is refused once.
    db.metaQuotaFailures = 1;
    await tier.putMany([{ key: 'd@v/2/0/0', tile: { body: new Blob([jpeg(100)]), contentType: 'image/jpeg', etag: '', storedAt: 0 } }]);
    expect(errors).toEqual([]);
    expect(db.stores.tiles!.has('d@v/2/0/0')).toBe(true);
    expect(db.stores.tiles!.size).toBe(9);
    expect(db.stores.meta!.get('usage')).toMatchObject({ bytes: 900, entries: 9 });
    expect(await tier.usage()).toMatchObject({ bytes: 900, entries: 9 });
  });
});

describe('TileDbHandle', () => {
  it('reopens after the connection is terminated or blocks a newer version', async () => {
    let lost = () => {};
    const dbs: FakeTileDb[] = [];
    const handle = new TileDbHandle(async (onLost) => {
      lost = onLost;
      dbs.push(new FakeTileDb());
      return dbs.at(-1)!.asDb();
    });
    const first = await handle.get();
    expect(await handle.get()).toBe(first);
    lost();
    const second = await handle.get();
    expect(second).not.toBe(first);
    expect(handle.opens).toBe(2);
  });

  it('reopens after an operation finds the connection closing', async () => {
    const dbs: FakeTileDb[] = [];
    const handle = new TileDbHandle(async () => {
      dbs.push(new FakeTileDb());
      seed(dbs.at(-1)!, [record('d@v/0/0/0', jpeg(20), 1)]);
      return dbs.at(-1)!.asDb();
    });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const tier = new IdbTier(handle, options);
    expect(await tier.get('d@v/0/0/0')).toBeDefined();
    dbs[0]!.closed = true;
    expect(await tier.get('d@v/0/0/0')).toBeUndefined(); // this one fails, as a miss
    expect(await tier.get('d@v/0/0/0')).toBeDefined(); // the next reopens
    expect(handle.opens).toBe(2);
    expect(dbs[0]!.closed).toBe(true);
    warn.mockRestore();
  });
});

/**
 * Pinning in IndexedDB: a tile record lists the offline regions that hold
 * it (`regions`, indexed by `by-region`), and idb-tier.ts never evicts such
 * a tile. Pinning writes the tile when it is not stored yet (in the same
 * transaction, keeping the `usage` total); unpinning a region deletes the
 * tiles no other region holds and frees their bytes.
 */
import type { StoredTile } from './stored-tile.ts';
import type { TileDbHandle, UsageMeta } from './tile-db.ts';

export interface PinEntry {
  key: string;
  tile: StoredTile;
}

export class PinnedTiles {
  readonly #db: TileDbHandle;

  constructor(db: TileDbHandle) {
    this.#db = db;
  }

  /** Pins `entries` for `region` in one transaction; rejects on IndexedDB errors (the chunk is then redone). */
  async pin(region: string, entries: PinEntry[]): Promise<void> {
    const db = await this.#db.get();
    if (!db || entries.length === 0) return;
    const tx = db.transaction(['tiles', 'meta'], 'readwrite');
    const tiles = tx.objectStore('tiles');
    const usage = await readUsage(tx.objectStore('meta'));
    const now = Date.now();
    for (const { key, tile } of entries) {
      const record = await tiles.get(key);
      if (record) {
        if (!record.regions?.includes(region)) await tiles.put({ ...record, regions: [...(record.regions ?? []), region] });
        continue;
      }
      const bytes = tile.body.size;
      await tiles.put({ key, blob: tile.body, bytes, contentType: tile.contentType, etag: tile.etag, storedAt: tile.storedAt, lastAccess: now, regions: [region] });
      usage.bytes += bytes;
      usage.entries += 1;
    }
    await tx.objectStore('meta').put(usage);
    await tx.done;
  }

  /** Unpins every tile of `region`; deletes those no other region holds. Resolves with what was freed. */
  async unpin(region: string): Promise<{ tiles: number; bytes: number }> {
    const db = await this.#db.get();
    if (!db) return { tiles: 0, bytes: 0 };
    const tx = db.transaction(['tiles', 'meta'], 'readwrite');
    const usage = await readUsage(tx.objectStore('meta'));
    const freed = { tiles: 0, bytes: 0 };
    for (let cursor = await tx.objectStore('tiles').index('by-region').openCursor(IDBKeyRange.only(region)); cursor; cursor = await cursor.continue()) {
      const others = (cursor.value.regions ?? []).filter((r) => r !== region);
      if (others.length > 0) {
        await cursor.update({ ...cursor.value, regions: others });
        continue;
      }
      freed.tiles += 1;
      freed.bytes += cursor.value.bytes;
      usage.bytes -= cursor.value.bytes;
      usage.entries -= 1;
      await cursor.delete();
    }
    await tx.objectStore('meta').put(usage);
    await tx.done;
    return freed;
  }

  /** Tiles pinned by `region` now, and their bytes. */
  async count(region: string): Promise<{ tiles: number; bytes: number }> {
    const db = await this.#db.get();
    const total = { tiles: 0, bytes: 0 };
    if (!db) return total;
    const index = db.transaction('tiles').store.index('by-region');
    for (let cursor = await index.openCursor(IDBKeyRange.only(region)); cursor; cursor = await cursor.continue()) {
      total.tiles += 1;
      total.bytes += cursor.value.bytes;
    }
    return total;
  }

  /** Stored bytes of at most `limit` tiles whose keys start with `prefix` (one level of one source version). */
  async sample(prefix: string, limit: number): Promise<{ tiles: number; bytes: number }> {
    const db = await this.#db.get();
    const total = { tiles: 0, bytes: 0 };
    if (!db) return total;
    const store = db.transaction('tiles').store;
    for (let cursor = await store.openCursor(IDBKeyRange.bound(prefix, `${prefix}\uffff`)); cursor && total.tiles < limit; cursor = await cursor.continue()) {
      total.tiles += 1;
      total.bytes += cursor.value.bytes;
    }
    return total;
  }
}

async function readUsage(meta: { get(key: string): Promise<unknown> }): Promise<UsageMeta> {
  const usage = (await meta.get('usage')) as UsageMeta | undefined;
  return usage ? { ...usage } : { key: 'usage', bytes: 0, entries: 0 };
}

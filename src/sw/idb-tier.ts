/**
 * Tier 2: tiles in IndexedDB, surviving worker restarts and reloads.
 *
 * - Reads never fail a response: any IndexedDB error is a miss.
 * - Writes of one batch go in one transaction, after the tiles were answered.
 * - A byte budget (min of `idbMaxBytes` and a share of the storage quota) is
 *   enforced in the same transaction as the write, evicting the least
 *   recently accessed tiles. A QuotaExceededError evicts more and retries once.
 *   Tiles pinned by an offline region (`regions`) are never evicted; they
 *   count against the budget, so regions crowd out the LRU part.
 * - Hits only mark last access in memory; the marks are written together later.
 */
import type { TileDb, TileDbHandle, TileRecord, UsageMeta } from './tile-db.ts';
import type { StoredTile } from './stored-tile.ts';

export interface IdbTierOptions {
  maxBytes: number;
  quotaShare: number;
  touchFlushMs: number;
  /** Storage quota lookup; injected so tests and old browsers can do without. */
  estimate?: () => Promise<StorageEstimate>;
  onError?: (what: string, error: unknown) => void;
  onEvict?: (entries: number, bytes: number) => void;
}

export interface IdbUsage {
  available: boolean;
  bytes: number;
  entries: number;
  budget: number;
}

const MAX_TOUCHES = 2000;

export class IdbTier {
  readonly #handle: TileDbHandle;
  readonly #options: IdbTierOptions;
  #budget: Promise<number> | null = null;
  readonly #touched = new Map<string, number>();
  #touchTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(handle: TileDbHandle, options: IdbTierOptions) {
    this.#handle = handle;
    this.#options = options;
  }

  budget(): Promise<number> {
    this.#budget ??= (async () => {
      const { maxBytes, quotaShare, estimate } = this.#options;
      try {
        const quota = (await (estimate ?? (() => navigator.storage.estimate()))()).quota;
        return quota ? Math.min(maxBytes, Math.floor(quota * quotaShare)) : maxBytes;
      } catch {
        return maxBytes;
      }
    })();
    return this.#budget;
  }

  async get(key: string): Promise<StoredTile | undefined> {
    const record = await this.#run('read', (db) => db.get('tiles', key));
    if (!record) return undefined;
    this.#touch(key);
    return { body: record.blob, contentType: record.contentType, etag: record.etag, storedAt: record.storedAt };
  }

  /** Stores tiles in one transaction, evicting to stay under budget. Never rejects. */
  async putMany(tiles: Array<{ key: string; tile: StoredTile }>): Promise<void> {
    if (tiles.length === 0) return;
    const budget = await this.budget();
    const now = Date.now();
    const records: TileRecord[] = tiles
      .filter(({ tile }) => tile.body.size <= budget)
      .map(({ key, tile }) => ({ key, blob: tile.body, bytes: tile.body.size, contentType: tile.contentType, etag: tile.etag, storedAt: tile.storedAt, lastAccess: now }));
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        const db = await this.#handle.get();
        if (!db) return;
        await this.#write(db, records, budget);
        return;
      } catch (error) {
        if (attempt === 0 && isQuotaError(error)) {
          await this.#run('evict', (db) => this.#evictTo(db, Math.floor(budget / 2)));
          continue;
        }
        this.#options.onError?.('write', error);
        return;
      }
    }
  }

  /** Deletes every tile under `prefix` (an old `dataset@version/`). */
  async deletePrefix(prefix: string): Promise<number> {
    const removed = await this.#run('delete', async (db) => {
      const tx = db.transaction(['tiles', 'meta'], 'readwrite');
      const usage = await readUsage(tx.objectStore('meta'));
      let n = 0;
      for (let cursor = await tx.objectStore('tiles').openCursor(IDBKeyRange.bound(prefix, `${prefix}\uffff`)); cursor; cursor = await cursor.continue()) {
        usage.bytes -= cursor.value.bytes;
        usage.entries -= 1;
        n += 1;
        await cursor.delete();
      }
      await tx.objectStore('meta').put(usage);
      await tx.done;
      return n;
    });
    return removed ?? 0;
  }

  async clear(): Promise<void> {
    this.#touched.clear();
    await this.#run('clear', async (db) => {
      const tx = db.transaction(['tiles', 'meta'], 'readwrite');
      await tx.objectStore('tiles').clear();
      await tx.objectStore('meta').put({ key: 'usage', bytes: 0, entries: 0 });
      await tx.done;
    });
  }

  async usage(): Promise<IdbUsage> {
    const budget = await this.budget();
    const db = await this.#handle.get();
    if (!db) return { available: false, bytes: 0, entries: 0, budget };
    const usage = (await this.#run('read', (d) => readUsage(d.transaction('meta').store))) ?? { bytes: 0, entries: 0 };
    return { available: true, bytes: usage.bytes, entries: usage.entries, budget };
  }

  async #write(db: TileDb, records: TileRecord[], budget: number): Promise<void> {
    const tx = db.transaction(['tiles', 'meta'], 'readwrite');
    const tilesStore = tx.objectStore('tiles');
    const usage = await readUsage(tx.objectStore('meta'));
    for (const record of records) {
      const old = await tilesStore.get(record.key);
      if (old) {
        usage.bytes -= old.bytes;
        usage.entries -= 1;
      }
      // A fresh copy of a pinned tile stays pinned.
      await tilesStore.put(old?.regions?.length ? { ...record, regions: old.regions } : record);
      usage.bytes += record.bytes;
      usage.entries += 1;
    }
    await this.#applyTouches(tilesStore);
    // Oldest access first; the tiles just written are the newest, so they go last.
    let evicted = 0;
    let evictedBytes = 0;
    for (let cursor = await tilesStore.index('by-access').openCursor(); cursor && usage.bytes > budget; cursor = await cursor.continue()) {
      if (cursor.value.regions?.length) continue; // pinned by an offline region
      usage.bytes -= cursor.value.bytes;
      usage.entries -= 1;
      evicted += 1;
      evictedBytes += cursor.value.bytes;
      await cursor.delete();
    }
    await tx.objectStore('meta').put(usage);
    await tx.done;
    if (evicted) this.#options.onEvict?.(evicted, evictedBytes);
  }

  async #evictTo(db: TileDb, target: number): Promise<void> {
    const tx = db.transaction(['tiles', 'meta'], 'readwrite');
    const usage = await readUsage(tx.objectStore('meta'));
    for (let cursor = await tx.objectStore('tiles').index('by-access').openCursor(); cursor && usage.bytes > target; cursor = await cursor.continue()) {
      if (cursor.value.regions?.length) continue;
      usage.bytes -= cursor.value.bytes;
      usage.entries -= 1;
      await cursor.delete();
    }
    await tx.objectStore('meta').put(usage);
    await tx.done;
  }

  #touch(key: string): void {
    if (this.#touched.size >= MAX_TOUCHES) return;
    this.#touched.set(key, Date.now());
    this.#touchTimer ??= setTimeout(() => {
      this.#touchTimer = null;
      void this.#run('touch', async (db) => {
        const tx = db.transaction('tiles', 'readwrite');
        await this.#applyTouches(tx.store);
        await tx.done;
      });
    }, this.#options.touchFlushMs);
  }

  async #applyTouches(store: { get(key: string): Promise<TileRecord | undefined>; put(value: TileRecord): Promise<unknown> }): Promise<void> {
    const touches = [...this.#touched];
    this.#touched.clear();
    for (const [key, at] of touches) {
      const record = await store.get(key);
      if (record && record.lastAccess < at) await store.put({ ...record, lastAccess: at });
    }
  }

  /** Runs an IndexedDB operation; any error is reported and becomes undefined. */
  async #run<T>(what: string, op: (db: TileDb) => Promise<T>): Promise<T | undefined> {
    try {
      const db = await this.#handle.get();
      return db ? await op(db) : undefined;
    } catch (error) {
      this.#options.onError?.(what, error);
      return undefined;
    }
  }
}

async function readUsage(meta: { get(key: string): Promise<unknown> }): Promise<UsageMeta> {
  const usage = (await meta.get('usage')) as UsageMeta | undefined;
  return usage ? { ...usage } : { key: 'usage', bytes: 0, entries: 0 };
}

function isQuotaError(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'QuotaExceededError';
}

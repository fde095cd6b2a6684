/**
 * Tier 2: tiles in IndexedDB, surviving worker restarts and reloads.
 *
 * - Reads never fail a response: any IndexedDB error is a miss.
 * - Writes of one batch go in one transaction, after the tiles were answered.
 * - A byte budget (min of `idbMaxBytes` and a share of the storage quota) is
 *   enforced in the same transaction as the write, evicting the least
 *   recently accessed tiles. A QuotaExceededError (the disk or origin is full
 *   below our budget) evicts max(2 × the write's bytes, 10% of what the store
 *   holds) of the least recently accessed tiles, then retries, evicting that
 *   much more before each retry (4 retries at most).
 * - A connection found closed is dropped; the next operation reopens
 *   (tile-db.ts also drops terminated and blocking ones).
 *   Tiles pinned by an offline region (`regions`) are never evicted; they
 *   count against the budget, so regions crowd out the LRU part.
 * - Hits only mark last access in memory; the marks are written together later.
 */
import type { TileDb, TileDbHandle, TileRecord, UsageMeta } from './tile-db.ts';
import type { StoredTile } from './stored-tile.ts';
import { tileProblem } from './tile-body.ts';

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
  /** Evicted but not yet taken off the usage record (a full quota refused that write): folded into the next one. */
  readonly #unrecorded = { bytes: 0, entries: 0 };
  #touchFlush: Promise<void> | null = null;
  /** Entries found broken on read (no whole image) and deleted. */
  healed = 0;

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

  /**
   * The stored tile, or undefined. An entry whose body is no whole image of
   * its type (stored by an older build, or damaged) is deleted and is a miss.
   */
  async get(key: string): Promise<StoredTile | undefined> {
    const record = await this.#run('read', (db) => db.get('tiles', key));
    if (!record) return undefined;
    const tile = { body: record.blob, contentType: record.contentType, etag: record.etag, storedAt: record.storedAt };
    if ((await tileProblem(tile).catch(() => 'unreadable')) !== null) {
      this.healed += 1;
      await this.#deleteKey(key);
      return undefined;
    }
    this.#touch(key);
    return tile;
  }

  /** Stores tiles in one transaction, evicting to stay under budget. Never rejects. */
  async putMany(tiles: Array<{ key: string; tile: StoredTile }>): Promise<void> {
    if (tiles.length === 0) return;
    const budget = await this.budget();
    const now = Date.now();
    const records: TileRecord[] = tiles
      .filter(({ tile }) => tile.body.size <= budget)
      .map(({ key, tile }) => ({ key, blob: tile.body, bytes: tile.body.size, contentType: tile.contentType, etag: tile.etag, storedAt: tile.storedAt, lastAccess: now }));
    for (let attempt = 0; attempt < QUOTA_ATTEMPTS; attempt += 1) {
      try {
        const db = await this.#handle.get();
        if (!db) return;
        await this.#write(db, records, budget);
        return;
      } catch (error) {
        if (attempt < QUOTA_ATTEMPTS - 1 && isQuotaError(error)) {
          // The disk or the origin's quota is full well below our budget: make room for this
          // write relative to what the store holds and what the write needs, then try again,
          // freeing more each time (Chromium may want more room than the write's size).
          const needs = records.reduce((sum, r) => sum + r.bytes, 0);
          await this.#run('evict', (db) => this.#evictBytes(db, needs, attempt + 1));
          continue;
        }
        if (isClosedError(error)) this.#handle.reset();
        this.#options.onError?.('write', error);
        return;
      }
    }
  }

  /** Deletes one tile, keeping the byte total in step; never rejects. */
  async #deleteKey(key: string): Promise<void> {
    await this.#run('delete', async (db) => {
      const tx = db.transaction(['tiles', 'meta'], 'readwrite');
      const old = await tx.objectStore('tiles').get(key);
      if (old) {
        const usage = await readUsage(tx.objectStore('meta'));
        usage.bytes -= old.bytes;
        usage.entries -= 1;
        await tx.objectStore('tiles').delete(key);
        await tx.objectStore('meta').put(usage);
      }
      await tx.done;
    });
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
    this.#unrecorded.bytes = this.#unrecorded.entries = 0;
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
    return { available: true, bytes: usage.bytes - this.#unrecorded.bytes, entries: usage.entries - this.#unrecorded.entries, budget };
  }

  async #write(db: TileDb, records: TileRecord[], budget: number): Promise<void> {
    const tx = db.transaction(['tiles', 'meta'], 'readwrite');
    const tilesStore = tx.objectStore('tiles');
    const usage = await readUsage(tx.objectStore('meta'));
    const folded = { ...this.#unrecorded };
    usage.bytes -= folded.bytes;
    usage.entries -= folded.entries;
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
    this.#unrecorded.bytes -= folded.bytes;
    this.#unrecorded.entries -= folded.entries;
    if (evicted) this.#options.onEvict?.(evicted, evictedBytes);
  }

  /**
   * After the `round`th QuotaExceededError of one write (1, 2, …): deletes
   * least recently accessed, unpinned tiles until `round` × max(2 × `needs`,
   * 10% of the bytes held) are freed.
   * The deletes go in a transaction that writes nothing, and the byte total
   * in a second one once the space is free: at its quota Chromium refuses
   * any transaction that puts even a small record (measured: deletes plus
   * the usage record aborted with QuotaExceededError, deletes alone
   * committed), which left the store frozen, evicting nothing.
   */
  async #evictBytes(db: TileDb, needs: number, round: number): Promise<void> {
    const tx = db.transaction(['tiles', 'meta'], 'readwrite');
    const held = await readUsage(tx.objectStore('meta'));
    const target = round * Math.max(2 * needs, Math.ceil(held.bytes * 0.1));
    let freed = 0;
    let evicted = 0;
    for (let cursor = await tx.objectStore('tiles').index('by-access').openCursor(); cursor && freed < target; cursor = await cursor.continue()) {
      if (cursor.value.regions?.length) continue; // pinned by an offline region
      freed += cursor.value.bytes;
      evicted += 1;
      await cursor.delete();
    }
    await tx.done;
    if (!evicted) return;
    this.#options.onEvict?.(evicted, freed);
    this.#unrecorded.bytes += freed;
    this.#unrecorded.entries += evicted;
    try {
      const meta = db.transaction('meta', 'readwrite');
      const usage = await readUsage(meta.store);
      usage.bytes -= freed;
      usage.entries -= evicted;
      await meta.store.put(usage);
      await meta.done;
      this.#unrecorded.bytes -= freed;
      this.#unrecorded.entries -= evicted;
    } catch (error) {
      // Chromium's quota accounting can lag the deletes just committed, refusing even this
      // small record (seen in CI): the next write's transaction takes the evicted bytes off.
      if (!isQuotaError(error)) throw error;
    }
  }

  /**
   * Settles when the last-access marks taken so far are written (at once if
   * none wait); never rejects. The strategy hands it to `waitUntil` after an
   * IndexedDB hit, so a worker stopped while idle still writes them.
   */
  touchesFlushed(): Promise<void> {
    return this.#touchFlush ?? Promise.resolve();
  }

  #touch(key: string): void {
    if (this.#touched.size >= MAX_TOUCHES) return;
    this.#touched.set(key, Date.now());
    this.#touchFlush ??= new Promise<void>((resolve) => {
      setTimeout(() => {
        this.#touchFlush = null;
        this.#run('touch', async (db) => {
          const tx = db.transaction('tiles', 'readwrite');
          await this.#applyTouches(tx.store);
          await tx.done;
        }).then(() => resolve(), () => resolve());
      }, this.#options.touchFlushMs);
    });
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
      if (isClosedError(error)) this.#handle.reset();
      this.#options.onError?.(what, error);
      return undefined;
    }
  }
}

async function readUsage(meta: { get(key: string): Promise<unknown> }): Promise<UsageMeta> {
  const usage = (await meta.get('usage')) as UsageMeta | undefined;
  return usage ? { ...usage } : { key: 'usage', bytes: 0, entries: 0 };
}

/** The connection is closing or closed (e.g. the browser terminated it): reopen on next use. */
function isClosedError(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'InvalidStateError';
}

/**
 * Writes tried per batch while the quota is full, with a larger eviction
 * before each retry: Chromium refuses a transaction unless about twice its
 * size is free (measured: 400 KB refused with 530 KB free), so one eviction
 * of 2 × the write was sometimes just short, and with three attempts a CI
 * run still lost one write of a view.
 */
const QUOTA_ATTEMPTS = 5;

function isQuotaError(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'QuotaExceededError';
}

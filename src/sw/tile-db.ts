/**
 * The worker's IndexedDB database, `tile-accelerator`: its typed schema and
 * how it opens. `tiles` holds tile bodies under `dataset@version/z/x/y`;
 * `meta` holds each dataset's last known info (and so its version), each
 * registered tile source (`source:{id}`), each offline region (`region:{id}`)
 * and the running byte total of `tiles`, kept in the same transactions as the
 * tiles. `tiles.by-region` finds the tiles a region pins.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { DatasetInfo } from '../shared/dataset-info.ts';
import type { TileSourceSpec } from '../shared/tile-source-spec.ts';
import type { RegionRecord } from './region-record.ts';

export const DB_NAME = 'tile-accelerator';
const DB_VERSION = 2;

export interface TileRecord {
  /** `dataset@version/z/x/y` */
  key: string;
  blob: Blob;
  bytes: number;
  contentType: string;
  etag: string;
  storedAt: number;
  lastAccess: number;
  /** Offline regions that pin this tile (regions.ts): while any does, LRU eviction skips it. */
  regions?: string[];
}

export interface DatasetMeta {
  key: `dataset:${string}`;
  dataset: string;
  version: string;
  info: DatasetInfo;
}

/** A source registered by a page or by configuration, so a restarted worker still routes its tiles. */
export interface SourceMeta {
  key: `source:${string}`;
  spec: TileSourceSpec;
  version: string;
  descriptorVersion?: string;
}

export interface UsageMeta {
  key: 'usage';
  bytes: number;
  entries: number;
}

export interface TileDbSchema extends DBSchema {
  tiles: { key: string; value: TileRecord; indexes: { 'by-access': number; 'by-region': string } };
  meta: { key: string; value: DatasetMeta | SourceMeta | UsageMeta | RegionRecord };
}

export type TileDb = IDBPDatabase<TileDbSchema>;

/**
 * Opens the database. `lost` is called when this connection can no longer be
 * used: the browser terminated it (storage cleared, disk trouble), or a newer
 * version elsewhere is blocked by it (it is closed here to let that one in).
 */
export function openTileDb(lost: () => void = () => {}): Promise<TileDb> {
  return openDB<TileDbSchema>(DB_NAME, DB_VERSION, {
    blocking(_current, _next, event) {
      (event.target as IDBDatabase).close();
      lost();
    },
    terminated() {
      lost();
    },
    upgrade(db, oldVersion, _newVersion, tx) {
      if (oldVersion < 1) {
        const tiles = db.createObjectStore('tiles', { keyPath: 'key' });
        tiles.createIndex('by-access', 'lastAccess');
        db.createObjectStore('meta', { keyPath: 'key' });
      }
      // 2: offline regions; each tile lists the regions pinning it.
      if (oldVersion < 2) tx.objectStore('tiles').createIndex('by-region', 'regions', { multiEntry: true });
    },
  });
}

/**
 * The database, opened on first use. Any failure to open (private mode,
 * disabled storage, a broken profile) resolves to null: the worker then runs
 * on memory alone rather than failing a single tile. A connection that is
 * lost later (terminated, blocking a newer version, or found closing by an
 * operation: `reset`) is dropped, and the next `get` opens a new one.
 */
export class TileDbHandle {
  #db: Promise<TileDb | null> | null = null;
  readonly #open: (lost: () => void) => Promise<TileDb>;
  /** Connections opened (1 unless one was lost). */
  opens = 0;

  constructor(open: (lost: () => void) => Promise<TileDb> = openTileDb) {
    this.#open = open;
  }

  get(): Promise<TileDb | null> {
    if (this.#db) return this.#db;
    this.opens += 1;
    const opening: Promise<TileDb | null> = this.#open(() => {
      if (this.#db === opening) this.#db = null;
    }).catch((error: unknown) => {
      console.warn('tile-accelerator: IndexedDB is unavailable; caching in memory only.', error);
      return null;
    });
    this.#db = opening;
    return opening;
  }

  /** Drops the current connection (closing it) so the next `get` reopens; for an operation that found it closing. */
  reset(): void {
    const current = this.#db;
    this.#db = null;
    void current?.then((db) => db?.close());
  }
}

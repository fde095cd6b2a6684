/**
 * The worker's IndexedDB database, `tile-accelerator`: its typed schema and
 * how it opens. `tiles` holds tile bodies under `dataset@version/z/x/y`;
 * `meta` holds each dataset's last known info (and so its version), each
 * registered tile source (`source:{id}`) and the running byte total of `tiles`, kept in the same transactions as the tiles.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { DatasetInfo } from '../shared/dataset-info.ts';
import type { TileSourceSpec } from '../shared/tile-source-spec.ts';

export const DB_NAME = 'tile-accelerator';
const DB_VERSION = 1;

export interface TileRecord {
  /** `dataset@version/z/x/y` */
  key: string;
  blob: Blob;
  bytes: number;
  contentType: string;
  etag: string;
  storedAt: number;
  lastAccess: number;
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
  tiles: { key: string; value: TileRecord; indexes: { 'by-access': number } };
  meta: { key: string; value: DatasetMeta | SourceMeta | UsageMeta };
}

export type TileDb = IDBPDatabase<TileDbSchema>;

export function openTileDb(): Promise<TileDb> {
  return openDB<TileDbSchema>(DB_NAME, DB_VERSION, {
    upgrade(db) {
      const tiles = db.createObjectStore('tiles', { keyPath: 'key' });
      tiles.createIndex('by-access', 'lastAccess');
      db.createObjectStore('meta', { keyPath: 'key' });
    },
  });
}

/**
 * The database, opened once on first use. Any failure to open (private
 * mode, disabled storage, a broken profile) resolves to null: the worker then
 * runs on memory alone rather than failing a single tile.
 */
export class TileDbHandle {
  #db: Promise<TileDb | null> | null = null;
  readonly #open: () => Promise<TileDb>;

  constructor(open: () => Promise<TileDb> = openTileDb) {
    this.#open = open;
  }

  get(): Promise<TileDb | null> {
    this.#db ??= this.#open().catch((error: unknown) => {
      console.warn('tile-accelerator: IndexedDB is unavailable; caching in memory only.', error);
      return null;
    });
    return this.#db;
  }
}

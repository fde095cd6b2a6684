/**
 * An offline region as the worker keeps it in IndexedDB's `meta` store
 * (`region:{id}`), so a reload or a restarted worker picks the download up
 * where it stopped: the plan is recomputed from the area (shared/
 * region-plan.ts is pure), so only the cursor and the counters persist.
 */
import type { RegionRequestArea, RegionStatus, RegionSummary } from '../shared/region-protocol.ts';
import type { TileDbHandle } from './tile-db.ts';

export interface RegionRecord extends RegionRequestArea {
  key: `region:${string}`;
  id: string;
  /** The source's pyramid version the tiles are fetched (and keyed) for. */
  pyramidVersion: string;
  /** `done`: every tile of the plan was tried (some may have failed). */
  state: 'downloading' | 'paused' | 'done';
  /** Tiles of the plan handled so far, in plan order. */
  cursor: number;
  tiles: number;
  /** Tiles stored and pinned, and their bytes, as counted by the download. */
  done: number;
  bytes: number;
  failures: number;
  createdAt: number;
  lastUsed: number;
}

export function summaryOf(record: RegionRecord, currentVersion: string | undefined, stored?: { tiles: number; bytes: number }): RegionSummary {
  const { id, source, rect, minLevel, maxLevel, tiles, failures, createdAt, lastUsed, pyramidVersion } = record;
  const count = stored ?? { tiles: record.done, bytes: record.bytes };
  let status: RegionStatus;
  if (currentVersion !== undefined && currentVersion !== pyramidVersion) status = 'stale';
  else if (record.state !== 'done') status = record.state;
  else status = count.tiles >= tiles ? 'complete' : 'incomplete';
  return {
    id,
    source,
    rect,
    minLevel,
    maxLevel,
    status,
    tiles,
    stored: count.tiles,
    bytes: count.bytes,
    failures,
    completeness: tiles ? Math.min(1, count.tiles / tiles) : 1,
    pyramidVersion,
    createdAt,
    lastUsed,
  };
}

/** The persisted records; every failure is reported and the region lives on in memory. */
export class RegionRecords {
  readonly #db: TileDbHandle;
  readonly #onError: (what: string, error: unknown) => void;

  constructor(db: TileDbHandle, onError: (what: string, error: unknown) => void) {
    this.#db = db;
    this.#onError = onError;
  }

  async all(): Promise<RegionRecord[]> {
    try {
      const db = await this.#db.get();
      return ((await db?.getAll('meta', IDBKeyRange.bound('region:', 'region:\uffff'))) ?? []) as RegionRecord[];
    } catch (error) {
      this.#onError('regions', error);
      return [];
    }
  }

  async put(record: RegionRecord): Promise<void> {
    try {
      await (await this.#db.get())?.put('meta', { ...record, rect: record.rect && { ...record.rect } });
    } catch (error) {
      this.#onError('regions', error);
    }
  }

  async delete(id: string): Promise<void> {
    try {
      await (await this.#db.get())?.delete('meta', `region:${id}`);
    } catch (error) {
      this.#onError('regions', error);
    }
  }
}

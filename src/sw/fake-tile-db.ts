/**
 * For unit tests only: an in-memory stand-in for the worker's IndexedDB
 * database (tile-db.ts), with just the calls idb-tier.ts and pinned-tiles.ts
 * make. A transaction works on a copy and commits at `tx.done`, so a write
 * that throws leaves nothing behind, as IndexedDB aborts it. `diskBytes`
 * makes a put throw QuotaExceededError once the tiles would exceed it (a
 * full disk, below any budget of ours); with `writeHeadroom` n, once they
 * would exceed it with n − 1 more copies of the put (Chromium wants about
 * twice a write's size free).
 */
import type { TileDb, TileRecord } from './tile-db.ts';

type Row = Record<string, unknown> & { key: string };

export class FakeTileDb {
  readonly stores: Record<string, Map<string, Row>> = { tiles: new Map(), meta: new Map() };
  diskBytes = Infinity;
  writeHeadroom = 1;
  /** Puts to the `meta` store refused with QuotaExceededError before they succeed again. */
  metaQuotaFailures = 0;
  closed = false;
  /** Makes the next operation throw as a closing connection does. */
  failNextWith: DOMException | null = null;

  asDb(): TileDb {
    return this as unknown as TileDb;
  }

  close(): void {
    this.closed = true;
  }

  async get(store: string, key: string): Promise<Row | undefined> {
    this.#check();
    return this.stores[store]!.get(key);
  }

  transaction(names: string | string[]) {
    this.#check();
    const list = typeof names === 'string' ? [names] : names;
    const staged: Record<string, Map<string, Row>> = {};
    for (const name of list) staged[name] = new Map(this.stores[name]);
    const objectStore = (name: string) => this.#store(staged, name);
    return {
      objectStore,
      store: objectStore(list[0]!),
      done: Promise.resolve().then(() => Object.assign(this.stores, staged)),
    };
  }

  #check(): void {
    if (this.closed) throw new DOMException('The database connection is closing.', 'InvalidStateError');
    const fail = this.failNextWith;
    this.failNextWith = null;
    if (fail) throw fail;
  }

  #store(staged: Record<string, Map<string, Row>>, name: string) {
    const rows = () => staged[name]!;
    const diskBytes = () => this.diskBytes;
    const headroom = () => this.writeHeadroom;
    const metaRefused = () => name === 'meta' && this.metaQuotaFailures > 0 && this.metaQuotaFailures-- > 0;
    const cursorOver = async (keys: string[]) => {
      let i = 0;
      const at = async (): Promise<unknown> => {
        while (i < keys.length && !rows().has(keys[i]!)) i += 1;
        if (i >= keys.length) return null;
        const key = keys[i]!;
        return {
          value: rows().get(key),
          continue: async () => {
            i += 1;
            return at();
          },
          delete: async () => void rows().delete(key),
        };
      };
      return at();
    };
    return {
      get: async (key: string) => rows().get(key),
      delete: async (key: string) => void rows().delete(key),
      clear: async () => rows().clear(),
      put: async (value: Row) => {
        if (metaRefused()) throw new DOMException('The quota is full.', 'QuotaExceededError');
        if (name === 'tiles') {
          let total = headroom() * (value as unknown as TileRecord).bytes;
          for (const [key, row] of rows()) if (key !== value.key) total += (row as unknown as TileRecord).bytes;
          if (total > diskBytes()) throw new DOMException('The disk is full.', 'QuotaExceededError');
        }
        rows().set(value.key, value);
        return value.key;
      },
      openCursor: async (range?: IDBKeyRange) =>
        cursorOver([...rows().keys()].filter((k) => !range || range.includes(k)).sort()),
      index: (index: string) => ({
        openCursor: async () => {
          if (index !== 'by-access') throw new Error(`fake index ${index}`);
          const records = [...rows().values()] as unknown as TileRecord[];
          return cursorOver(records.sort((a, b) => a.lastAccess - b.lastAccess).map((r) => r.key));
        },
      }),
    };
  }
}

/**
 * A least-recently-used cache bounded by bytes, shared by the worker's memory
 * tier and the companion's server cache. It is lru-cache configured for bytes
 * (`maxSize` + `sizeCalculation`), plus `load()`: concurrent loads of one key
 * share one promise, so N requests for a tile cost one upstream fetch.
 */
import { LRUCache } from 'lru-cache';

export type Loader<V> = (key: string, signal: AbortSignal) => Promise<V | undefined>;

export interface ByteLruOptions<V> {
  /** Upper bound of the summed `sizeOf` of all entries. */
  maxBytes: number;
  /** Bytes an entry occupies. */
  sizeOf: (value: V) => number;
  /** Milliseconds an entry lives; 0 (default) for no expiry. */
  ttlMs?: number;
}

export class ByteLru<V extends {}> {
  readonly maxBytes: number;
  readonly #sizeOf: (value: V) => number;
  readonly #cache: LRUCache<string, V, Loader<V>>;

  constructor(options: ByteLruOptions<V>) {
    this.maxBytes = options.maxBytes;
    this.#sizeOf = options.sizeOf;
    this.#cache = new LRUCache<string, V, Loader<V>>({
      maxSize: options.maxBytes,
      // lru-cache rejects sizes below 1; an empty body still costs an entry.
      sizeCalculation: (value) => Math.max(1, Math.ceil(options.sizeOf(value))),
      ...(options.ttlMs ? { ttl: options.ttlMs } : {}),
      fetchMethod: (key, _stale, { signal, context }) => context(key, signal),
    });
  }

  get(key: string): V | undefined {
    return this.#cache.get(key);
  }

  /** Reads without touching recency (for stats and tests). */
  peek(key: string): V | undefined {
    return this.#cache.peek(key);
  }

  has(key: string): boolean {
    return this.#cache.has(key);
  }

  set(key: string, value: V): void {
    this.#cache.set(key, value);
  }

  delete(key: string): boolean {
    return this.#cache.delete(key);
  }

  /**
   * Returns the cached value, or runs `loader` once for all concurrent callers
   * of the same key and caches what it resolves to. `undefined` is not cached;
   * a rejection reaches every waiter and leaves nothing behind.
   */
  async load(key: string, loader: Loader<V>, signal?: AbortSignal): Promise<V | undefined> {
    return this.#cache.fetch(key, { context: loader, ...(signal ? { signal } : {}) });
  }

  /** Removes every entry whose key starts with `prefix`; returns how many. */
  deletePrefix(prefix: string): number {
    let removed = 0;
    for (const key of [...this.#cache.keys()]) {
      if (key.startsWith(prefix) && this.#cache.delete(key)) removed += 1;
    }
    return removed;
  }

  /** Entries and bytes under keys starting with `prefix` (a scan: for stats, not hot paths). */
  prefixStats(prefix: string): { entries: number; bytes: number } {
    let entries = 0;
    let bytes = 0;
    for (const [key, value] of this.#cache.entries()) {
      if (!key.startsWith(prefix)) continue;
      entries += 1;
      bytes += Math.max(1, Math.ceil(this.#sizeOf(value)));
    }
    return { entries, bytes };
  }

  clear(): void {
    this.#cache.clear();
  }

  get entries(): number {
    return this.#cache.size;
  }

  get bytes(): number {
    return this.#cache.calculatedSize;
  }
}

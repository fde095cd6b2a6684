/** Tier 1: tiles in the worker's memory, a byte-bounded LRU (default 64 MiB). */
import { ByteLru } from '../shared/byte-lru.ts';
import type { StoredTile } from './stored-tile.ts';

export class MemoryTier {
  readonly #lru: ByteLru<StoredTile>;

  constructor(maxBytes: number) {
    this.#lru = new ByteLru<StoredTile>({ maxBytes, sizeOf: (t) => t.body.size });
  }

  get(key: string): StoredTile | undefined {
    return this.#lru.get(key);
  }

  set(key: string, tile: StoredTile): void {
    this.#lru.set(key, tile);
  }

  /** Forgets one dataset version (`dataset@version/`) at once: it can never be asked for again. */
  deletePrefix(prefix: string): number {
    return this.#lru.deletePrefix(prefix);
  }

  clear(): void {
    this.#lru.clear();
  }

  usage(): { bytes: number; entries: number; budget: number } {
    return { bytes: this.#lru.bytes, entries: this.#lru.entries, budget: this.#lru.maxBytes };
  }
}

/**
 * Which formats to try for a tile, and what was learnt from trying. A
 * dataset is usually one format, but a re-tiled or mixed dataset may hold a
 * tile only as .png or .webp: the requested extension goes first, then
 * jpg -> png -> webp. The format that answered at a (dataset, level) goes
 * first next time, so a mixed level costs one GET a tile, not three.
 */
import { LRUCache } from 'lru-cache';
import { FALLBACK_ORDER, type TileExtension } from '../shared/tile-key.ts';

export function formatOrder(requested: TileExtension, remembered?: TileExtension): TileExtension[] {
  return [...new Set([...(remembered ? [remembered] : []), requested, ...FALLBACK_ORDER])];
}

/** The last format that answered, per dataset and level; bounded by entries. */
export class FormatMemory {
  readonly #formats: LRUCache<string, TileExtension>;

  constructor(maxEntries: number) {
    this.#formats = new LRUCache({ max: maxEntries });
  }

  get(dataset: string, z: number): TileExtension | undefined {
    return this.#formats.get(`${dataset}/${z}`);
  }

  remember(dataset: string, z: number, format: TileExtension): void {
    this.#formats.set(`${dataset}/${z}`, format);
  }

  forget(dataset: string): void {
    for (const key of [...this.#formats.keys()]) if (key.startsWith(`${dataset}/`)) this.#formats.delete(key);
  }
}

/**
 * "No format of this tile exists", remembered briefly: a viewer asking again
 * for a hole in the pyramid costs no upstream GETs, yet a tile uploaded later
 * shows up within the TTL.
 */
export class NegativeCache {
  readonly #missing: LRUCache<string, true>;

  constructor(options: { maxEntries: number; ttlMs: number }) {
    this.#missing = new LRUCache({ max: options.maxEntries, ttl: options.ttlMs });
  }

  has(key: string): boolean {
    return this.#missing.has(key);
  }

  add(key: string): void {
    this.#missing.set(key, true);
  }

  deletePrefix(prefix: string): number {
    let removed = 0;
    for (const key of [...this.#missing.keys()]) if (key.startsWith(prefix) && this.#missing.delete(key)) removed += 1;
    return removed;
  }

  get size(): number {
    return this.#missing.size;
  }
}

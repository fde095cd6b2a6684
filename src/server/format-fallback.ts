/**
 * Which formats to try for a tile, and what was learnt from trying. A
 * dataset is usually one format, but a re-tiled or mixed dataset may hold a
 * tile only as .png or .webp: the requested extension goes first, then
 * jpg -> png -> webp. What answered at a (dataset, level) is remembered and
 * asked first next time: the format that answered most often (counts decay,
 * so a re-tiled level is relearnt), the latest one on a tie. A level of one
 * format then costs one GET a tile; a mixed level costs its mix, not the walk.
 */
import { LRUCache } from 'lru-cache';
import { FALLBACK_ORDER, type TileExtension } from '../shared/tile-key.ts';

/** Formats to try: what answered before, the one asked for, the pyramid's own (e.g. DZI `jpeg`), then jpg -> png -> webp. */
export function formatOrder(requested: TileExtension, remembered: readonly TileExtension[] = [], native?: TileExtension): TileExtension[] {
  return [...new Set([...remembered, requested, ...(native ? [native] : []), ...FALLBACK_ORDER])];
}

interface LevelFormats {
  counts: Partial<Record<TileExtension, number>>;
  latest: TileExtension;
}

/** Counts halve once a level has seen this many answers, so old habits fade. */
const DECAY_AT = 64;

/** Formats that answered per dataset and level, best first; bounded by entries. */
export class FormatMemory {
  readonly #levels: LRUCache<string, LevelFormats>;

  constructor(maxEntries: number) {
    this.#levels = new LRUCache({ max: maxEntries });
  }

  get(dataset: string, z: number): TileExtension[] {
    const level = this.#levels.get(`${dataset}/${z}`);
    if (!level) return [];
    const score = (f: TileExtension) => (level.counts[f] ?? 0) + (f === level.latest ? 0.5 : 0);
    return (Object.keys(level.counts) as TileExtension[]).sort((a, b) => score(b) - score(a));
  }

  remember(dataset: string, z: number, format: TileExtension): void {
    const key = `${dataset}/${z}`;
    const level = this.#levels.get(key) ?? { counts: {}, latest: format };
    level.counts[format] = (level.counts[format] ?? 0) + 1;
    level.latest = format;
    const total = Object.values(level.counts).reduce((a, b) => a + b, 0);
    if (total >= DECAY_AT) for (const f of Object.keys(level.counts) as TileExtension[]) level.counts[f] = level.counts[f]! / 2;
    this.#levels.set(key, level);
  }

  forget(dataset: string): void {
    for (const key of [...this.#levels.keys()]) if (key.startsWith(`${dataset}/`)) this.#levels.delete(key);
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

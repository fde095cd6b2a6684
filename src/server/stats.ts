/**
 * Counters the companion keeps per dataset and overall. Tests read them to
 * prove where tiles came from (counts, never timings); developers read them
 * at `/api/tiles/{dataset}/cache-stats`.
 */
export interface DatasetCounters {
  /** Single-tile requests answered (any status). */
  tileRequests: number;
  /** Batch requests answered, and the tiles they asked for. */
  batchRequests: number;
  batchTiles: number;
  infoRequests: number;
  /** Single-tile requests answered 304 Not Modified. */
  notModified: number;
  /** Tiles answered from the server cache, and tiles that were not there. */
  cacheHits: number;
  cacheMisses: number;
  /** Misses that joined a read already in flight instead of starting one. */
  dedupedWaits: number;
  /** Misses answered "absent" from the negative cache, at no upstream cost. */
  negativeHits: number;
  /** Tiles served in a format other than the one asked for. */
  fallbacks: number;
  /** Reads of one exact object from the source (one per format tried), by result. */
  sourceReads: number;
  sourceFound: number;
  sourceMissing: number;
  sourceErrors: number;
  /** Tiles refused because they lie outside the dataset's levels or grid. */
  outOfBounds: number;
  /** Upstream bodies refused as tiles (HTML, empty, cut short, wrong type); also in sourceErrors. */
  invalidBodies: number;
  /** Info lookups answered with the last good info because reading it again failed. */
  staleInfoServed: number;
  /** Cached tiles served while the info was stale (i.e. during a store outage). */
  staleTilesServed: number;
  /** Tile misses refused because too many upstream reads were running (503 OVERLOADED). */
  overloaded: number;
}

export type CounterName = keyof DatasetCounters;

const zero = (): DatasetCounters => ({
  tileRequests: 0,
  batchRequests: 0,
  batchTiles: 0,
  infoRequests: 0,
  notModified: 0,
  cacheHits: 0,
  cacheMisses: 0,
  dedupedWaits: 0,
  negativeHits: 0,
  fallbacks: 0,
  sourceReads: 0,
  sourceFound: 0,
  sourceMissing: 0,
  sourceErrors: 0,
  outOfBounds: 0,
  invalidBodies: 0,
  staleInfoServed: 0,
  staleTilesServed: 0,
  overloaded: 0,
});

/** Datasets counted separately; names come from clients, so the map is bounded. */
const MAX_DATASETS = 1000;

export class ServerStats {
  readonly #byDataset = new Map<string, DatasetCounters>();
  readonly #overall = zero();

  count(dataset: string, name: CounterName, by = 1): void {
    let counters = this.#byDataset.get(dataset);
    if (!counters) {
      counters = zero();
      if (this.#byDataset.size < MAX_DATASETS) this.#byDataset.set(dataset, counters);
    }
    counters[name] += by;
    this.#overall[name] += by;
  }

  dataset(dataset: string): DatasetCounters {
    return { ...(this.#byDataset.get(dataset) ?? zero()) };
  }

  overall(): DatasetCounters {
    return { ...this.#overall };
  }
}

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
}

export type CounterName = keyof DatasetCounters;

const zero = (): DatasetCounters => ({ tileRequests: 0, batchRequests: 0, batchTiles: 0, infoRequests: 0, notModified: 0 });

export class ServerStats {
  readonly #byDataset = new Map<string, DatasetCounters>();
  readonly #overall = zero();

  count(dataset: string, name: CounterName, by = 1): void {
    let counters = this.#byDataset.get(dataset);
    if (!counters) {
      counters = zero();
      this.#byDataset.set(dataset, counters);
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

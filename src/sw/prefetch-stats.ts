/**
 * What prefetch did and whether it paid: tiles fetched ahead, and how many of
 * them a viewer asked for afterwards (`hitRate` = used / prefetched). The
 * fetched-ahead keys are remembered up to a bound, oldest forgotten first.
 */
import type { PrefetchStats } from '../shared/worker-report.ts';

export type { PrefetchStats };

export class PrefetchCounters {
  runs = 0;
  cancelledRuns = 0;
  planned = 0;
  alreadyCached = 0;
  droppedLeftView = 0;
  #prefetched = 0;
  #bytes = 0;
  #used = 0;
  readonly #waiting = new Set<string>();
  readonly #remember: number;

  /** `remember`: prefetched tile ids kept to count their later use. */
  constructor(remember = 4096) {
    this.#remember = remember;
  }

  /** A tile (its store key) arrived by prefetch. */
  fetched(id: string, bytes: number): void {
    this.#prefetched += 1;
    this.#bytes += bytes;
    this.#waiting.delete(id);
    this.#waiting.add(id);
    if (this.#waiting.size > this.#remember) this.#waiting.delete(this.#waiting.values().next().value!);
  }

  /** A viewer asked for a tile; counts it once if prefetch brought it in. */
  requested(id: string): void {
    if (this.#waiting.delete(id)) this.#used += 1;
  }

  /** Mean size of prefetched tiles, once there is one. */
  get meanTileBytes(): number | undefined {
    return this.#prefetched ? this.#bytes / this.#prefetched : undefined;
  }

  snapshot(active: number): PrefetchStats {
    const { runs, cancelledRuns, planned, alreadyCached, droppedLeftView } = this;
    const prefetched = this.#prefetched;
    return { runs, cancelledRuns, planned, alreadyCached, prefetched, bytes: this.#bytes, used: this.#used, hitRate: prefetched ? this.#used / prefetched : 0, droppedLeftView, active };
  }
}

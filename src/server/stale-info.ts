/**
 * A dataset's descriptor (its pyramid, version and tile root) with stale-if-error. Fresh for `ttlMs`, so a new
 * version reaches viewers within seconds; past that it is read again (one
 * shared read per dataset). When that read fails (503, stall, reset, breaker
 * open) the last good info keeps being served for up to `staleIfErrorMs`,
 * and since cached tiles are keyed by its version, they stay servable too.
 * While the store is known to be failing, stale info is answered at once and
 * the read runs in the background, so no tile waits on a dead store. And
 * while one caller's read again is under way, the others are answered with
 * the info they have instead of queueing behind it (under load, that read
 * waits behind every tile read in flight, and every request would wait too).
 * Bounded by `maxEntries` datasets (least recently read dropped first).
 */
export interface StaleInfoOptions {
  ttlMs: number;
  staleIfErrorMs: number;
  maxEntries?: number;
  now?: () => number;
}

export interface InfoLookup<T> {
  info: T | null;
  /** True when the info is past its TTL and served because reading it again failed. */
  stale: boolean;
}

export interface InfoReport {
  /** Ms since this dataset's info was last read successfully; null when never. */
  ageMs: number | null;
  /** Whether the last attempt to read it again failed (so it is being served stale). */
  stale: boolean;
  /** The last read failure's message, while stale. */
  lastError: string | null;
}

interface Entry<T> {
  info: T;
  fetchedAt: number;
  lastError: string | null;
  refreshing: Promise<T | null> | null;
}

export class StaleInfoCache<T> {
  readonly #options: Required<Omit<StaleInfoOptions, 'now'>>;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry<T>>();
  /** Reads of datasets with no entry yet, shared by concurrent callers. */
  readonly #firstReads = new Map<string, Promise<T | null>>();

  constructor(options: StaleInfoOptions) {
    this.#options = { maxEntries: 1000, ...options };
    this.#now = options.now ?? (() => Date.now());
  }

  async get(dataset: string, load: () => Promise<T | null>): Promise<InfoLookup<T>> {
    const entry = this.#entries.get(dataset);
    if (!entry) return { info: await this.#firstRead(dataset, load), stale: false };
    const age = this.#now() - entry.fetchedAt;
    if (age < this.#options.ttlMs) return { info: entry.info, stale: false };
    const usable = age < this.#options.staleIfErrorMs;
    if (entry.refreshing && usable) return { info: entry.info, stale: entry.lastError !== null };
    const refresh = this.#refresh(dataset, entry, load);
    // Known to be failing: do not make this caller wait on the store.
    if (entry.lastError !== null && usable) return { info: entry.info, stale: true };
    try {
      return { info: await refresh, stale: false };
    } catch (error) {
      if (!usable) throw error;
      return { info: entry.info, stale: true };
    }
  }

  report(dataset: string): InfoReport {
    const entry = this.#entries.get(dataset);
    if (!entry) return { ageMs: null, stale: false, lastError: null };
    return { ageMs: Math.round(this.#now() - entry.fetchedAt), stale: entry.lastError !== null, lastError: entry.lastError };
  }

  delete(dataset: string): void {
    this.#entries.delete(dataset);
  }

  #firstRead(dataset: string, load: () => Promise<T | null>): Promise<T | null> {
    let read = this.#firstReads.get(dataset);
    if (!read) {
      read = load()
        .then((info) => {
          if (info) this.#store(dataset, info);
          return info;
        })
        .finally(() => this.#firstReads.delete(dataset));
      this.#firstReads.set(dataset, read);
    }
    return read;
  }

  #refresh(dataset: string, entry: Entry<T>, load: () => Promise<T | null>): Promise<T | null> {
    if (entry.refreshing) return entry.refreshing;
    const refreshing = load().then(
      (info) => {
        if (info) this.#store(dataset, info);
        else this.#entries.delete(dataset); // the dataset is gone: stop serving it
        return info;
      },
      (error: unknown) => {
        entry.lastError = error instanceof Error ? error.message : String(error);
        throw error;
      },
    );
    entry.refreshing = refreshing;
    // Background refreshes may have no awaiting caller: their failure is recorded above, not lost.
    refreshing.catch(() => undefined).finally(() => {
      entry.refreshing = null;
    });
    return refreshing;
  }

  #store(dataset: string, info: T): void {
    this.#entries.delete(dataset);
    this.#entries.set(dataset, { info, fetchedAt: this.#now(), lastError: null, refreshing: null });
    while (this.#entries.size > this.#options.maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
  }
}

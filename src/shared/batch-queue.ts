/**
 * The pending-batch queue: every tile the worker has been asked for and not
 * yet answered, first `pending` (waiting for the batch window to close), then
 * `in-flight` (named in a batch whose frames are still streaming back).
 *
 * One entry per tile key, however many requests want it: a second request
 * (from this tab, another tab or another viewer) joins the entry instead of
 * asking again. An entry leaves the queue when its tile is settled, or, while
 * still pending, when every waiter has gone (aborted) or `drop()` removes it.
 * Visible tiles go out before prefetch, prefetch before offline-region
 * downloads; within a priority, oldest first.
 * Pure: no timers, no I/O; the batch client drives it.
 */
import { TileError } from './errors.ts';

/** `region`: tiles of an offline region being downloaded (src/sw/regions.ts), behind everything a viewer may show. */
export type Priority = 'visible' | 'prefetch' | 'region';
const RANK: Record<Priority, number> = { visible: 0, prefetch: 1, region: 2 };

export interface EnqueueOptions {
  /** Tiles of one group (a dataset) travel in the same batches. */
  group: string;
  /** Default 'visible'. A visible request joining a prefetch entry raises it. */
  priority?: Priority;
  /** Aborting it removes this waiter only; the tile leaves when no waiter is left. */
  signal?: AbortSignal;
}

/** What `drop()` predicates and observers see of an entry. */
export interface QueuedTile {
  key: string;
  group: string;
  priority: Priority;
  state: 'pending' | 'in-flight';
  waiters: number;
}

export interface BatchQueueOptions {
  /** Most tiles pending at once; past it `enqueue` rejects (callers then fetch directly). Default 2000. */
  maxPending?: number;
}

interface Waiter<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

interface Entry<T> extends QueuedTile {
  seq: number;
  waiting: Set<Waiter<T>>;
}

export const DEFAULT_MAX_PENDING = 2000;

export class BatchQueue<T> {
  readonly maxPending: number;
  readonly #entries = new Map<string, Entry<T>>();
  #pending = 0;
  #seq = 0;

  constructor(options: BatchQueueOptions = {}) {
    this.maxPending = options.maxPending ?? DEFAULT_MAX_PENDING;
  }

  /** Waits for the tile `key`, joining an entry already pending or in flight. */
  enqueue(key: string, options: EnqueueOptions): Promise<T> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const priority = options.priority ?? 'visible';
    let entry = this.#entries.get(key);
    if (!entry) {
      if (this.#pending >= this.maxPending) {
        return Promise.reject(
          new TileError('TOO_MANY_TILES', `The worker already queues ${this.maxPending} tiles; raise maxPending or ask for fewer.`),
        );
      }
      entry = { key, group: options.group, priority, state: 'pending', waiters: 0, seq: this.#seq++, waiting: new Set() };
      this.#entries.set(key, entry);
      this.#pending += 1;
    } else if (RANK[priority] < RANK[entry.priority]) {
      entry.priority = priority;
    }
    const joined = entry;
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter<T> = { resolve, reject };
      joined.waiting.add(waiter);
      joined.waiters = joined.waiting.size;
      signal?.addEventListener('abort', () => this.#leave(joined, waiter, signal.reason), { once: true });
    });
  }

  /** The group whose best pending tile should go out next, or undefined when nothing is pending. */
  nextGroup(): string | undefined {
    return this.#best(() => true)?.group;
  }

  /** Moves up to `max` pending tiles of `group` to in-flight, best first, and returns their keys. */
  take(group: string, max: number): string[] {
    const chosen = [...this.#entries.values()]
      .filter((e) => e.state === 'pending' && e.group === group)
      .sort(byPriorityThenAge)
      .slice(0, max);
    for (const entry of chosen) entry.state = 'in-flight';
    this.#pending -= chosen.length;
    return chosen.map((e) => e.key);
  }

  /** Answers every waiter of `key`; false when nobody was waiting for it any more. */
  settle(key: string, value: T): boolean {
    const entry = this.#remove(key);
    entry?.waiting.forEach((w) => w.resolve(value));
    return (entry?.waiting.size ?? 0) > 0;
  }

  fail(key: string, error: unknown): void {
    this.#remove(key)?.waiting.forEach((w) => w.reject(error));
  }

  /** Removes pending tiles the predicate picks (e.g. tiles that left the view); their waiters get an AbortError. */
  drop(predicate: (tile: QueuedTile) => boolean, reason: unknown = abortError('dropped from the batch queue')): number {
    const doomed = [...this.#entries.values()].filter((e) => e.state === 'pending' && predicate(snapshot(e)));
    for (const entry of doomed) this.fail(entry.key, reason);
    return doomed.length;
  }

  get(key: string): QueuedTile | undefined {
    const entry = this.#entries.get(key);
    return entry ? snapshot(entry) : undefined;
  }

  get pending(): number {
    return this.#pending;
  }

  get inFlight(): number {
    return this.#entries.size - this.#pending;
  }

  /** Tiles at `visible` priority, pending or in flight: what a prefetch should wait for. */
  get visible(): number {
    let n = 0;
    for (const e of this.#entries.values()) if (e.priority === 'visible') n += 1;
    return n;
  }

  pendingIn(group: string): number {
    let n = 0;
    for (const e of this.#entries.values()) if (e.state === 'pending' && e.group === group) n += 1;
    return n;
  }

  #leave(entry: Entry<T>, waiter: Waiter<T>, reason: unknown): void {
    if (!entry.waiting.delete(waiter)) return;
    entry.waiters = entry.waiting.size;
    waiter.reject(reason);
    // In flight, the tile is still worth caching when it lands; pending, nobody needs it.
    if (entry.waiting.size === 0 && entry.state === 'pending' && this.#entries.get(entry.key) === entry) this.#remove(entry.key);
  }

  #remove(key: string): Entry<T> | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#entries.delete(key);
    if (entry.state === 'pending') this.#pending -= 1;
    return entry;
  }

  #best(filter: (e: Entry<T>) => boolean): Entry<T> | undefined {
    let best: Entry<T> | undefined;
    for (const e of this.#entries.values()) {
      if (e.state === 'pending' && filter(e) && (!best || byPriorityThenAge(e, best) < 0)) best = e;
    }
    return best;
  }
}

function byPriorityThenAge(a: Entry<unknown>, b: Entry<unknown>): number {
  return RANK[a.priority] - RANK[b.priority] || a.seq - b.seq;
}

function snapshot(e: Entry<unknown>): QueuedTile {
  return { key: e.key, group: e.group, priority: e.priority, state: e.state, waiters: e.waiting.size };
}

function abortError(message: string): Error {
  return typeof DOMException === 'function' ? new DOMException(message, 'AbortError') : Object.assign(new Error(message), { name: 'AbortError' });
}

/**
 * The Workers Cache API (`caches.default`) as a shared tier in front of R2:
 * every isolate of a Cloudflare location sees the same entries, and a hit
 * costs no R2 Class B operation. Entries are keyed by the dataset's
 * `version` (from info.json), so a re-tiled dataset never serves old bytes
 * and entries can live long (`ttlSeconds`). "This object does not exist"
 * is cached too (`absentTtlSeconds`), so format fallback across isolates
 * costs no R2 reads either.
 *
 * Writes happen after the tile is handed back: `put()` starts them and
 * `whenIdle()` is what the Worker passes to `ctx.waitUntil()`.
 *
 * Platform facts this relies on (developers.cloudflare.com/workers/runtime-apis/cache/):
 * the cache is per data centre, not replicated; on `*.workers.dev` and in
 * previews every operation is a no-op (only custom domains and routes cache);
 * `match`/`put` count toward the subrequest quota of the invocation.
 */

/** The slice of the Workers `Cache` this tier calls; tests may pass any object of this shape. */
export interface EdgeCacheStore {
  match(key: string): Promise<Response | undefined>;
  put(key: string, response: Response): Promise<void>;
}

export interface EdgeObject {
  bytes: Uint8Array<ArrayBuffer>;
  contentType: string;
  etag: string;
}

/** What one lookup found: the object, a remembered absence, or nothing (ask R2). */
export type EdgeLookup = { kind: 'hit'; object: EdgeObject } | { kind: 'absent' } | { kind: 'miss' };

export interface EdgeCacheCounters {
  /** Objects answered from the edge: no R2 operation. */
  hits: number;
  /** Absences answered from the edge: no R2 operation. */
  absentHits: number;
  /** Lookups that found nothing and went on to R2. */
  misses: number;
  /** Entries written (objects and absences), and writes or reads that failed (treated as misses). */
  puts: number;
  errors: number;
}

export interface EdgeCacheReport extends EdgeCacheCounters {
  /** Share of lookups the edge answered, or null before the first lookup. */
  hitRate: number | null;
  ttlSeconds: number;
}

export interface EdgeCacheOptions {
  /** Lifetime of a cached object; 0 turns the tier off. */
  ttlSeconds: number;
  /** Lifetime of a cached absence. */
  absentTtlSeconds: number;
}

const ABSENT_HEADER = 'X-Edge-Absent';
/** Datasets counted separately; names come from clients, so the map is bounded. */
const MAX_DATASETS = 1000;
const zero = (): EdgeCacheCounters => ({ hits: 0, absentHits: 0, misses: 0, puts: 0, errors: 0 });

export class EdgeCache {
  readonly #store: EdgeCacheStore;
  readonly #options: EdgeCacheOptions;
  readonly #pending = new Set<Promise<void>>();
  readonly #byDataset = new Map<string, EdgeCacheCounters>();
  readonly #overall = zero();
  /** The Worker's own origin: keys live under the zone that serves the companion. */
  #origin = 'https://tile-accelerator.invalid';

  constructor(store: EdgeCacheStore, options: EdgeCacheOptions) {
    this.#store = store;
    this.#options = options;
  }

  get enabled(): boolean {
    return this.#options.ttlSeconds > 0;
  }

  /** Called with each request's origin, so entries are keyed on the zone's own host. */
  useOrigin(origin: string): void {
    this.#origin = origin;
  }

  /** `key` is `{dataset}@{version}/{object key inside the dataset}`. */
  async lookup(dataset: string, key: string): Promise<EdgeLookup> {
    try {
      const response = await this.#store.match(this.#url(key));
      if (!response) {
        this.#count(dataset, 'misses');
        return { kind: 'miss' };
      }
      if (response.headers.get(ABSENT_HEADER)) {
        await response.body?.cancel();
        this.#count(dataset, 'absentHits');
        return { kind: 'absent' };
      }
      const object = {
        bytes: new Uint8Array(await response.arrayBuffer()),
        contentType: response.headers.get('Content-Type') ?? 'application/octet-stream',
        etag: response.headers.get('ETag') ?? '',
      };
      this.#count(dataset, 'hits');
      return { kind: 'hit', object };
    } catch (error) {
      // A failing cache is a miss, never a failed tile: R2 still has it.
      console.error(JSON.stringify({ edgeCache: 'lookup failed', key, error: String(error) }));
      this.#count(dataset, 'errors');
      this.#count(dataset, 'misses');
      return { kind: 'miss' };
    }
  }

  /** Starts writing `object` (or an absence when null) in the background; `whenIdle()` waits for it. */
  put(dataset: string, key: string, object: EdgeObject | null): void {
    const headers = new Headers({ 'Cache-Control': `public, max-age=${object ? this.#options.ttlSeconds : this.#options.absentTtlSeconds}` });
    if (object) {
      headers.set('Content-Type', object.contentType);
      if (object.etag) headers.set('ETag', object.etag);
    } else headers.set(ABSENT_HEADER, '1');
    const write = this.#store
      .put(this.#url(key), new Response(object ? object.bytes : null, { status: 200, headers }))
      .then(
        () => this.#count(dataset, 'puts'),
        (error: unknown) => {
          console.error(JSON.stringify({ edgeCache: 'put failed', key, error: String(error) }));
          this.#count(dataset, 'errors');
        },
      )
      .finally(() => this.#pending.delete(write));
    this.#pending.add(write);
  }

  /** Settles when every write started so far has landed or failed (for `ctx.waitUntil`). */
  async whenIdle(): Promise<void> {
    await Promise.allSettled([...this.#pending]);
  }

  dataset(dataset: string): EdgeCacheReport {
    return this.#report(this.#byDataset.get(dataset) ?? zero());
  }

  overall(): EdgeCacheReport {
    return this.#report(this.#overall);
  }

  #url(key: string): string {
    return `${this.#origin}/__tile-accelerator/edge/${key}`;
  }

  #report(counters: EdgeCacheCounters): EdgeCacheReport {
    const lookups = counters.hits + counters.absentHits + counters.misses;
    return { ...counters, hitRate: lookups ? (counters.hits + counters.absentHits) / lookups : null, ttlSeconds: this.#options.ttlSeconds };
  }

  #count(dataset: string, name: keyof EdgeCacheCounters): void {
    let counters = this.#byDataset.get(dataset);
    if (!counters && this.#byDataset.size < MAX_DATASETS) {
      counters = zero();
      this.#byDataset.set(dataset, counters);
    }
    if (counters) counters[name] += 1;
    this.#overall[name] += 1;
  }
}

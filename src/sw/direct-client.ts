/**
 * Tiles of a source without a companion: the worker fetches each tile URL
 * itself, at most `concurrency` at once (the browser would otherwise open
 * six connections per host and queue the rest), with one fetch per tile
 * however many requests want it. The request carries the page's headers
 * (e.g. `Authorization` from OpenSeadragon's `ajaxHeaders`) and credentials,
 * in CORS mode so the answer is readable and can be stored. Prefetch takes
 * at most `prefetchConcurrency` of the slots, so a visible tile never queues
 * behind more than that many prefetched ones.
 */
import pLimit from 'p-limit';
import { TileError } from '../shared/errors.ts';
import { headerList, type StoredTile } from './stored-tile.ts';
import { bodyProblem, declaredLengthOf } from './tile-body.ts';
import type { TileIdentity } from './tile-identity.ts';

export interface DirectFetch {
  headers: Array<[string, string]>;
  credentials: RequestCredentials;
}

export interface DirectResult {
  status: number;
  statusText: string;
  headers: Array<[string, string]>;
  tile: StoredTile;
  /** A 200 whose body is a whole image of its type (tile-body.ts): worth storing and serving. */
  storable: boolean;
  /** Why a 200 is not storable (an HTML page, empty, truncated); undefined otherwise. */
  problem?: string;
}

export interface DirectClientOptions {
  fetch: (request: Request) => Promise<Response>;
  /** Upstream fetches in flight at once, over all sources (default 16). */
  concurrency: number;
  /** Fetches waiting for a slot at most; beyond it `request` rejects and the caller passes the request through. */
  maxPending: number;
  /** A tile fetch (headers and body) gives up after this (ms); the request then passes through. */
  timeoutMs: number;
  /** Of those slots, prefetch uses at most this many (default 4). */
  prefetchConcurrency?: number;
}

export class DirectClient {
  readonly #options: DirectClientOptions;
  readonly #limit: ReturnType<typeof pLimit>;
  readonly #prefetchLimit: ReturnType<typeof pLimit>;
  readonly #inFlight = new Map<string, Promise<DirectResult>>();
  /** Fetches made, and requests that joined one already under way. */
  fetches = 0;
  joined = 0;

  constructor(options: DirectClientOptions) {
    this.#options = options;
    this.#limit = pLimit(options.concurrency);
    this.#prefetchLimit = pLimit(options.prefetchConcurrency ?? 4);
  }

  get pending(): number {
    return this.#limit.pendingCount + this.#limit.activeCount;
  }

  request(id: TileIdentity, how: DirectFetch, priority: 'visible' | 'prefetch' = 'visible'): Promise<DirectResult> {
    const running = this.#inFlight.get(id.key);
    if (running) {
      this.joined += 1;
      return running;
    }
    if (this.#limit.pendingCount >= this.#options.maxPending) {
      return Promise.reject(new TileError('TOO_MANY_TILES', `The worker already waits for ${this.#options.maxPending} direct tile fetches.`));
    }
    const fetchIt = () => this.#limit(() => this.#fetch(id, how));
    const result = (priority === 'prefetch' ? this.#prefetchLimit(fetchIt) : fetchIt()).finally(() => this.#inFlight.delete(id.key));
    this.#inFlight.set(id.key, result);
    return result;
  }

  async #fetch(id: TileIdentity, how: DirectFetch): Promise<DirectResult> {
    this.fetches += 1;
    // no-store: the worker keeps its own tiers; the HTTP cache would hold a second copy.
    const response = await this.#options.fetch(
      new Request(id.url, { headers: how.headers, credentials: how.credentials, mode: 'cors', cache: 'no-store', signal: AbortSignal.timeout(this.#options.timeoutMs) }),
    );
    const bytes = new Uint8Array(await response.arrayBuffer());
    const contentType = response.headers.get('Content-Type') ?? 'application/octet-stream';
    const problem = response.status === 200 ? bodyProblem(bytes, contentType, declaredLengthOf(response.headers)) : null;
    return {
      status: response.status,
      statusText: response.statusText,
      headers: headerList(response.headers),
      tile: {
        body: new Blob([bytes], { type: contentType }),
        contentType,
        etag: response.headers.get('ETag') ?? '',
        storedAt: Date.now(),
      },
      storable: response.status === 200 && problem === null,
      ...(problem === null ? {} : { problem }),
    };
  }
}

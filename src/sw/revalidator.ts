/**
 * Never stale for sources with inline geometry (no descriptor to version
 * them): a stored tile older than `maxAgeMs` is still answered at once, and
 * revalidated in the background with a conditional GET of its URL
 * (`If-None-Match` with the stored ETag). A 304 restarts its age; a changed
 * tile replaces it, so the next request for it gets the new bytes. So a tile
 * re-tiled in place is served fresh from the first request made more than
 * `maxAgeMs` after it was stored, plus one request (the one that found it old).
 *
 * One revalidation per key at a time, a few in flight, a bounded backlog
 * (beyond it a stale tile simply waits for its next request).
 */
import pLimit from 'p-limit';
import type { DirectFetch } from './direct-client.ts';
import type { StoredTile } from './stored-tile.ts';
import { bodyProblem, declaredLengthOf } from './tile-body.ts';
import type { TileIdentity } from './tile-identity.ts';
import type { TileStore } from './tile-store.ts';

export interface RevalidatorOptions {
  fetch: (request: Request) => Promise<Response>;
  store: TileStore;
  /** A stored tile older than this is revalidated (ms). */
  maxAgeMs: number;
  /** A revalidation fetch gives up after this (ms); the stored tile stays. */
  timeoutMs: number;
  concurrency?: number;
  maxPending?: number;
}

export class Revalidator {
  readonly #options: RevalidatorOptions;
  readonly #limit: ReturnType<typeof pLimit>;
  readonly #running = new Set<string>();
  revalidated = 0;
  replaced = 0;

  constructor(options: RevalidatorOptions) {
    this.#options = options;
    this.#limit = pLimit(options.concurrency ?? 4);
  }

  isStale(tile: StoredTile, now = Date.now()): boolean {
    return now - tile.storedAt > this.#options.maxAgeMs;
  }

  /** Revalidates `tile` in the background; the promise (for `waitUntil`) never rejects. */
  revalidate(id: TileIdentity, tile: StoredTile, how: DirectFetch): Promise<void> {
    if (this.#running.has(id.key) || this.#limit.pendingCount >= (this.#options.maxPending ?? 256)) return Promise.resolve();
    this.#running.add(id.key);
    return this.#limit(() => this.#check(id, tile, how))
      .catch((error: unknown) => console.warn(`tile-accelerator: revalidating ${id.url} failed; the stored tile stays.`, error))
      .finally(() => this.#running.delete(id.key));
  }

  async #check(id: TileIdentity, tile: StoredTile, how: DirectFetch): Promise<void> {
    const headers = new Headers(how.headers);
    if (tile.etag) headers.set('If-None-Match', tile.etag);
    const response = await this.#options.fetch(new Request(id.url, { headers, credentials: how.credentials, mode: 'cors', cache: 'no-store', signal: AbortSignal.timeout(this.#options.timeoutMs) }));
    this.revalidated += 1;
    if (response.status === 304) {
      await this.#options.store.put(id, { ...tile, storedAt: Date.now() });
      return;
    }
    if (response.status !== 200) return;
    const bytes = new Uint8Array(await response.arrayBuffer());
    const contentType = response.headers.get('Content-Type') ?? tile.contentType;
    // Not a whole image of its type (an HTML error page, empty, truncated): the stored tile stays.
    if (bodyProblem(bytes, contentType, declaredLengthOf(response.headers)) !== null) return;
    const etag = response.headers.get('ETag') ?? '';
    if (etag && etag === tile.etag) {
      await this.#options.store.put(id, { ...tile, storedAt: Date.now() });
      return;
    }
    this.replaced += 1;
    await this.#options.store.put(id, { body: new Blob([bytes], { type: contentType }), contentType, etag, storedAt: Date.now() });
  }
}

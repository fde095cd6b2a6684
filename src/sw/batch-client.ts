/**
 * The batch client: tiles asked for together become one POST to a
 * companion's batch endpoint, and each waiting request is answered the
 * moment its frame arrives from the stream, not when the batch ends.
 *
 * Tiles are queued by identity (tile-identity.ts) and grouped by target:
 * the batch endpoint plus the headers and credentials the page sent with
 * them, so one page's `Authorization` never rides on another's batch. The
 * body names tiles `{level}/{x}/{y}.{ext}` in OpenSeadragon's numbering, as
 * the companion serves them; each frame is matched back to its identity.
 *
 * The queue (shared/batch-queue.ts) holds who waits for what; the window
 * (shared/batch-window.ts) decides when a batch leaves; this class does the
 * I/O. A batch that fails (HTTP error, unreachable, malformed or stalled
 * stream) rejects its unanswered tiles with BatchFailedError, so the strategy
 * fetches them one by one, and batching pauses for `backoffMs`.
 */
import { BATCH_CONTENT_TYPE, readBatchStream, type BatchFrame } from '../shared/batch-protocol.ts';
import { BatchQueue, type Priority, type QueuedTile } from '../shared/batch-queue.ts';
import { BatchWindow, type BatchWindowOptions } from '../shared/batch-window.ts';
import { TileError } from '../shared/errors.ts';
import type { Credentials } from '../shared/tile-source-spec.ts';
import type { TileIdentity } from './tile-identity.ts';

export class BatchFailedError extends TileError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('UPSTREAM_ERROR', message, options);
  }
}

/** Where a batch goes and what it carries besides its tiles. */
export interface BatchTarget {
  /** The batch endpoint, `{apiBase}/{dataset}/batch` (any origin the companion allows by CORS). */
  url: string;
  /** Headers the page sent for these tiles (e.g. Authorization), forwarded on the POST. */
  headers: Array<[string, string]>;
  credentials: Credentials;
}

export interface ArrivedFrame {
  id: TileIdentity;
  frame: BatchFrame;
}

export interface BatchHooks {
  batchWillSend?(target: BatchTarget, tiles: number): void;
  /** A request found its tile already pending or in flight, and joined it. */
  requestDidJoin?(id: TileIdentity): void;
  /** Every frame, even one nobody waits for any more (it is still worth caching). */
  frameDidArrive?(arrived: ArrivedFrame): void;
  /** Once per batch with its 200 frames: the place for one IndexedDB transaction. */
  batchDidComplete?(arrived: ArrivedFrame[]): Promise<void>;
  batchDidFail?(target: BatchTarget, unanswered: number, error: unknown): void;
}

export interface BatchClientOptions {
  fetch: (request: Request) => Promise<Response>;
  window: BatchWindowOptions;
  maxConcurrent: number;
  maxPending: number;
  backoffMs: number;
  stallMs: number;
  hooks?: BatchHooks;
}

export interface BatchAnswer {
  frame: BatchFrame;
  /** Settles when the batch's follow-up work (its cache write) is done; for `waitUntil`. */
  done: Promise<void>;
}

/** `{level}/{x}/{y}.{ext}`: a tile as a batch body names it. */
export function batchCoord(id: TileIdentity): string {
  return `${id.level}/${id.x}/${id.y}.${id.ext}`;
}

export class BatchClient {
  readonly #options: BatchClientOptions;
  readonly #queue: BatchQueue<BatchAnswer>;
  readonly #window: BatchWindow;
  /** Queue key -> identity, for tiles pending (taken ones leave at once). */
  readonly #ids = new Map<string, TileIdentity>();
  readonly #targets = new Map<string, BatchTarget>();
  #active = 0;
  #backoffUntil = 0;

  constructor(options: BatchClientOptions) {
    this.#options = options;
    this.#queue = new BatchQueue<BatchAnswer>({ maxPending: options.maxPending });
    this.#window = new BatchWindow(() => this.#flush(), options.window);
  }

  /** False while backing off after a failure: callers fetch tiles one by one. */
  get available(): boolean {
    return Date.now() >= this.#backoffUntil;
  }

  /** Waits for the tile `id` through a batch to `target`. */
  request(id: TileIdentity, target: BatchTarget, options: { priority?: Priority; signal?: AbortSignal } = {}): Promise<BatchAnswer> {
    const group = groupOf(target);
    if (this.#queue.get(id.key)) this.#options.hooks?.requestDidJoin?.(id);
    else {
      this.#prune();
      this.#ids.set(id.key, id);
      this.#targets.set(group, target);
    }
    const answer = this.#queue.enqueue(id.key, { group, ...options });
    this.#window.arrive(this.#queue.pending);
    return answer;
  }

  /** Removes pending tiles the predicate picks; for dropping tiles that left the view. */
  drop(predicate: (tile: QueuedTile, id: TileIdentity) => boolean): TileIdentity[] {
    const dropped: TileIdentity[] = [];
    this.#queue.drop((tile) => {
      const id = this.#ids.get(tile.key);
      if (!id || !predicate(tile, id)) return false;
      dropped.push(id);
      this.#ids.delete(tile.key);
      return true;
    });
    return dropped;
  }

  get pending(): number {
    return this.#queue.pending;
  }

  /**
   * Resolves once no visible tile is queued or in flight, checking every
   * `pollMs`, at the latest after `maxWaitMs`. A prefetch started earlier would
   * share the companion and this worker's frame decoding with the view still
   * loading, and slow it down.
   */
  async visibleSettled(signal: AbortSignal, maxWaitMs: number, pollMs = 10): Promise<void> {
    const deadline = Date.now() + maxWaitMs;
    while (this.#queue.visible > 0 && !signal.aborted && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  get inFlight(): number {
    return this.#queue.inFlight;
  }

  /** Forgets identities and targets of entries that left the queue without a batch (aborted, dropped). */
  #prune(): void {
    if (this.#ids.size < 2 * this.#options.maxPending && this.#targets.size < 256) return;
    for (const key of this.#ids.keys()) if (!this.#queue.get(key)) this.#ids.delete(key);
    for (const group of this.#targets.keys()) if (this.#queue.pendingIn(group) === 0) this.#targets.delete(group);
  }

  #flush(): void {
    if (!this.available) {
      // A batch failed meanwhile: what still waits goes one by one instead.
      this.#queue.drop(() => true, new BatchFailedError('Batching is backing off after a failed batch.'));
      return;
    }
    while (this.#active < this.#options.maxConcurrent) {
      const group = this.#queue.nextGroup();
      if (group === undefined) return;
      const target = this.#targets.get(group)!;
      const ids = this.#queue.take(group, this.#window.maxTiles).flatMap((key) => {
        const id = this.#ids.get(key);
        this.#ids.delete(key);
        return id ? [id] : [];
      });
      this.#active += 1;
      void this.#send(target, ids)
        .catch((error: unknown) => console.error('tile-accelerator: batch bookkeeping failed', error))
        .finally(() => {
          this.#active -= 1;
          if (this.#queue.pending > 0) this.#flush();
        });
    }
  }

  async #send(target: BatchTarget, ids: TileIdentity[]): Promise<void> {
    const unanswered = new Map(ids.map((id) => [batchCoord(id), id]));
    const arrived: ArrivedFrame[] = [];
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    const stall = new AbortController();
    let timer = setTimeout(() => stall.abort(), this.#options.stallMs);
    const { hooks } = this.#options;
    try {
      hooks?.batchWillSend?.(target, ids.length);
      const headers = new Headers(target.headers);
      headers.set('Content-Type', 'application/json');
      headers.set('Accept', BATCH_CONTENT_TYPE);
      const response = await this.#options.fetch(
        new Request(target.url, {
          method: 'POST',
          headers,
          credentials: target.credentials,
          mode: 'cors',
          body: JSON.stringify({ tiles: [...unanswered.keys()] }),
          signal: stall.signal,
        }),
      );
      if (!response.ok || !response.body || !(response.headers.get('Content-Type') ?? '').startsWith(BATCH_CONTENT_TYPE)) {
        throw new BatchFailedError(`Batch endpoint ${target.url} answered HTTP ${response.status} ${response.headers.get('Content-Type') ?? ''}.`);
      }
      for await (const frame of readBatchStream(response.body)) {
        clearTimeout(timer);
        timer = setTimeout(() => stall.abort(), this.#options.stallMs);
        const id = unanswered.get(frame.key);
        if (!id) continue; // a frame we did not ask for (or twice): ignore it
        unanswered.delete(frame.key);
        hooks?.frameDidArrive?.({ id, frame });
        if (frame.status === 200) arrived.push({ id, frame });
        this.#queue.settle(id.key, { frame, done });
      }
      if (unanswered.size > 0) throw new BatchFailedError(`Batch ended without ${unanswered.size} of its tiles.`);
    } catch (error) {
      this.#backoffUntil = Date.now() + this.#options.backoffMs;
      const failure = error instanceof BatchFailedError ? error : new BatchFailedError('Batch request failed.', { cause: error });
      hooks?.batchDidFail?.(target, unanswered.size, error);
      for (const id of unanswered.values()) this.#queue.fail(id.key, failure);
    } finally {
      clearTimeout(timer);
      await (hooks?.batchDidComplete?.(arrived) ?? Promise.resolve()).catch((error: unknown) =>
        console.warn('tile-accelerator: storing a batch failed', error),
      );
      finish();
    }
  }
}

function groupOf(target: BatchTarget): string {
  return `${target.url}\n${target.credentials}\n${JSON.stringify(target.headers)}`;
}

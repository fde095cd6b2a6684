/**
 * The batch client: tiles asked for together become one POST to the
 * companion's batch endpoint, and each waiting request is answered the
 * moment its frame arrives from the stream, not when the batch ends.
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

export class BatchFailedError extends TileError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('UPSTREAM_ERROR', message, options);
  }
}

export interface BatchHooks {
  batchWillSend?(dataset: string, tiles: number): void;
  /** A request found its tile already pending or in flight, and joined it. */
  requestDidJoin?(dataset: string): void;
  /** Every frame, even one nobody waits for any more (it is still worth caching). */
  frameDidArrive?(dataset: string, frame: BatchFrame): void;
  /** Once per batch with its 200 frames: the place for one IndexedDB transaction. */
  batchDidComplete?(dataset: string, frames: BatchFrame[]): Promise<void>;
  batchDidFail?(dataset: string, unanswered: number, error: unknown): void;
}

export interface BatchClientOptions {
  fetch: (request: Request) => Promise<Response>;
  apiPrefix: string;
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

export class BatchClient {
  readonly #options: BatchClientOptions;
  readonly #queue: BatchQueue<BatchAnswer>;
  readonly #window: BatchWindow;
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

  /** Waits for the tile `coord` (`z/x/y.ext`) of `dataset` through a batch. */
  request(dataset: string, coord: string, options: { priority?: Priority; signal?: AbortSignal } = {}): Promise<BatchAnswer> {
    const key = `${dataset}/${coord}`;
    if (this.#queue.get(key)) this.#options.hooks?.requestDidJoin?.(dataset);
    const answer = this.#queue.enqueue(key, { group: dataset, ...options });
    this.#window.arrive(this.#queue.pending);
    return answer;
  }

  /** Removes pending tiles the predicate picks; for dropping tiles that left the view. */
  drop(predicate: (tile: QueuedTile) => boolean): number {
    return this.#queue.drop(predicate);
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

  #flush(): void {
    if (!this.available) {
      // A batch failed meanwhile: what still waits goes one by one instead.
      this.#queue.drop(() => true, new BatchFailedError('Batching is backing off after a failed batch.'));
      return;
    }
    while (this.#active < this.#options.maxConcurrent) {
      const dataset = this.#queue.nextGroup();
      if (dataset === undefined) return;
      const keys = this.#queue.take(dataset, this.#window.maxTiles);
      this.#active += 1;
      void this.#send(dataset, keys)
        .catch((error: unknown) => console.error('tile-accelerator: batch bookkeeping failed', error))
        .finally(() => {
          this.#active -= 1;
          if (this.#queue.pending > 0) this.#flush();
        });
    }
  }

  async #send(dataset: string, keys: string[]): Promise<void> {
    const prefix = `${dataset}/`;
    const unanswered = new Set(keys);
    const arrived: BatchFrame[] = [];
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    const stall = new AbortController();
    let timer = setTimeout(() => stall.abort(), this.#options.stallMs);
    const { hooks } = this.#options;
    try {
      hooks?.batchWillSend?.(dataset, keys.length);
      const response = await this.#options.fetch(
        new Request(`${this.#options.apiPrefix}${encodeURIComponent(dataset)}/batch`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: BATCH_CONTENT_TYPE },
          body: JSON.stringify({ tiles: keys.map((k) => k.slice(prefix.length)) }),
          signal: stall.signal,
        }),
      );
      if (!response.ok || !response.body || !(response.headers.get('Content-Type') ?? '').startsWith(BATCH_CONTENT_TYPE)) {
        throw new BatchFailedError(`Batch endpoint answered HTTP ${response.status} ${response.headers.get('Content-Type') ?? ''}.`);
      }
      for await (const frame of readBatchStream(response.body)) {
        clearTimeout(timer);
        timer = setTimeout(() => stall.abort(), this.#options.stallMs);
        const key = prefix + frame.key;
        if (!unanswered.delete(key)) continue; // a frame we did not ask for (or twice): ignore it
        hooks?.frameDidArrive?.(dataset, frame);
        if (frame.status === 200) arrived.push(frame);
        this.#queue.settle(key, { frame, done });
      }
      if (unanswered.size > 0) throw new BatchFailedError(`Batch ended without ${unanswered.size} of its tiles.`);
    } catch (error) {
      this.#backoffUntil = Date.now() + this.#options.backoffMs;
      const failure = error instanceof BatchFailedError ? error : new BatchFailedError('Batch request failed.', { cause: error });
      hooks?.batchDidFail?.(dataset, unanswered.size, error);
      for (const key of unanswered) this.#queue.fail(key, failure);
    } finally {
      clearTimeout(timer);
      await (hooks?.batchDidComplete?.(dataset, arrived) ?? Promise.resolve()).catch((error: unknown) =>
        console.warn('tile-accelerator: storing a batch failed', error),
      );
      finish();
    }
  }
}

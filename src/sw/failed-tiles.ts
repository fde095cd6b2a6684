/**
 * Tiles the worker could not get at all (the batch failed and the per-tile
 * fetch failed too, e.g. while the companion restarts). OpenSeadragon marks
 * such a tile missing for good and never asks again, so the view would stay
 * blurry after the companion is back. Here they are retried in the
 * background on a bounded schedule (`scheduleMs`: the wait before each round,
 * default 1, 2, 4, 8, 15, 30 s); each tile that is then stored is announced
 * to the pages with the `dropped` message (shared/view-protocol.ts), which
 * makes client/dropped-tiles.ts revive it, and OpenSeadragon asks again and
 * gets it from memory. After the last round the tiles still failing are
 * forgotten. At most `maxTiles` wait (more failures are not retried).
 */
import type { TileIdentity } from './tile-identity.ts';

export interface FailedTilesOptions {
  /** Milliseconds to wait before each retry round; its length bounds the rounds. */
  scheduleMs: readonly number[];
  /** Tiles waiting for a retry at most. */
  maxTiles: number;
  /** One retry of one tile; resolves true when the tile is now stored. */
  retry: (id: TileIdentity) => Promise<boolean>;
  /** Tells the pages these tile URLs can be asked for again. */
  notify: (urls: string[]) => Promise<void>;
}

export class FailedTiles {
  readonly #options: FailedTilesOptions;
  readonly #waiting = new Map<string, TileIdentity>();
  #loop: Promise<void> | null = null;
  /** Tiles recovered by a retry and announced; tiles given up after the last round. */
  recovered = 0;
  abandoned = 0;

  constructor(options: FailedTilesOptions) {
    this.#options = options;
  }

  get waiting(): number {
    return this.#waiting.size;
  }

  /** Queues a failed tile for retries; the promise (for `waitUntil`) settles when the retry rounds end, and never rejects. */
  add(id: TileIdentity): Promise<void> {
    if (this.#waiting.size < this.#options.maxTiles || this.#waiting.has(id.key)) this.#waiting.set(id.key, id);
    this.#loop ??= this.#rounds().finally(() => (this.#loop = null));
    return this.#loop;
  }

  async #rounds(): Promise<void> {
    for (const waitMs of this.#options.scheduleMs) {
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      const round = [...this.#waiting.values()];
      if (round.length === 0) return;
      const stored = await Promise.all(round.map((id) => this.#options.retry(id).catch(() => false)));
      const back = round.filter((_, i) => stored[i]);
      for (const id of back) this.#waiting.delete(id.key);
      if (back.length === 0) continue;
      this.recovered += back.length;
      await this.#options.notify(back.map((id) => id.url)).catch((error: unknown) => console.warn('tile-accelerator: telling the pages about recovered tiles failed.', error));
    }
    this.abandoned += this.#waiting.size;
    this.#waiting.clear();
  }
}

/**
 * The worker's picture of what every reporting viewer shows, and the drop of
 * queued tiles that left all of them. OpenSeadragon never aborts its tile
 * requests, so after a fast pan the queue holds tiles nobody will look at;
 * they leave the pending batches here before they cost an upstream request.
 * In-flight tiles are left alone (they will be cached). A tile counts as
 * still wanted while any viewer of its dataset touches it, within a margin of
 * one tile and one level above the drawn one (the report lags the view).
 */
import type { QueuedTile } from '../shared/batch-queue.ts';
import type { TileIdentity } from './tile-identity.ts';
import { tileTouches, type ImageRect } from '../shared/tile-range.ts';
import type { ViewState } from '../shared/view-protocol.ts';

export interface ViewTrackerOptions {
  /** Viewers remembered at most (oldest report forgotten first). Default 32. */
  maxViewers?: number;
  /** A view not reported for this long no longer protects its tiles. Default 60 s. */
  viewTtlMs?: number;
  now?: () => number;
}

interface Known {
  view: ViewState;
  at: number;
}

export class ViewTracker {
  readonly #views = new Map<string, Known>();
  readonly #maxViewers: number;
  readonly #ttl: number;
  readonly #now: () => number;

  constructor(options: ViewTrackerOptions = {}) {
    this.#maxViewers = options.maxViewers ?? 32;
    this.#ttl = options.viewTtlMs ?? 60_000;
    this.#now = options.now ?? (() => Date.now());
  }

  update(view: ViewState): void {
    this.#views.delete(view.viewerId);
    this.#views.set(view.viewerId, { view, at: this.#now() });
    if (this.#views.size > this.#maxViewers) this.#views.delete(this.#views.keys().next().value!);
  }

  forget(viewerId: string): void {
    this.#views.delete(viewerId);
  }

  /** Live views of `dataset`. */
  viewsOf(dataset: string): ViewState[] {
    const now = this.#now();
    return [...this.#views.values()].filter((k) => k.view.dataset === dataset && now - k.at <= this.#ttl).map((k) => k.view);
  }

  /**
   * A predicate for `BatchClient.drop`: visible-priority tiles of the source
   * `dataset` (a view's `dataset` is its source id) that no live view of it still wants.
   */
  leftView(dataset: string): (tile: QueuedTile, id: TileIdentity) => boolean {
    const views = this.viewsOf(dataset);
    return (tile, id) => {
      if (views.length === 0 || id.source !== dataset || tile.priority !== 'visible') return false;
      const coord = { z: id.level, x: id.x, y: id.y };
      return !views.some((v) => coord.z <= v.level + 1 && tileTouches(v.info, grow(v.rect, v, coord.z), coord));
    };
  }
}

function grow(rect: ImageRect, view: ViewState, z: number): ImageRect {
  const margin = view.info.tileSize * 2 ** (view.info.maxLevel - z);
  return { x: rect.x - margin, y: rect.y - margin, width: rect.width + 2 * margin, height: rect.height + 2 * margin };
}

/**
 * Tells the tile worker what an OpenSeadragon viewer shows: its visible
 * rectangle (image pixels) and drawn level, while it moves (so the worker can
 * drop queued tiles that left the view) and once it settles (so the worker can
 * prefetch). A registered source (enable-accelerator.ts) is named by its id
 * and geometry; otherwise the dataset is read from the tile URLs, so it works
 * on any viewer whose tiles come from the tile API, not only ours.
 */
import OpenSeadragon from 'openseadragon';
import type { DatasetInfo } from '../shared/dataset-info.ts';
import { isTileExtension } from '../shared/tile-key.ts';
import { matchTilePath } from '../shared/dataset-path.ts';
import { drawnLevel } from '../shared/tile-range.ts';
import { viewerClosedMessage, viewMessage, type PageMessage, type ViewState } from '../shared/view-protocol.ts';
import type { TileSourceSpec } from '../shared/tile-source-spec.ts';

export interface ViewReporterOptions {
  /** Path prefix of the tile API (default `/api/tiles/`). */
  apiPrefix?: string;
  /** Quiet time after the last move before the view counts as settled (default 200 ms). */
  settleMs?: number;
  /** Fewest milliseconds between two reports while the view moves (default 100 ms). */
  moveIntervalMs?: number;
  /** False: the worker is told not to prefetch for this viewer. */
  prefetch?: boolean;
  /** Where messages go (default: the controlling service worker). */
  post?: (message: PageMessage) => void;
  /** The spec a tile source was registered with, if any (its id names the source in view reports). */
  sourceOf?: (source: OpenSeadragon.TileSource) => TileSourceSpec | undefined;
}

// `animation` fires every frame of a spring (zoomBy, fling); the others when a move starts or ends.
const MOVE_EVENTS = ['viewport-change', 'animation', 'animation-finish', 'open'] as const;

let viewerCount = 0;

export class ViewReporter {
  readonly viewerId = `viewer-${Date.now().toString(36)}-${(viewerCount += 1)}`;
  readonly #viewer: OpenSeadragon.Viewer;
  readonly #options: Required<Omit<ViewReporterOptions, 'post' | 'sourceOf'>>;
  readonly #sourceOf: (source: OpenSeadragon.TileSource) => TileSourceSpec | undefined;
  readonly #post: (message: PageMessage) => void;
  #settleTimer: ReturnType<typeof setTimeout> | undefined;
  #lastMoveReport = 0;
  #last: ViewState | null = null;
  /** Settled views reported so far (tests wait for the worker to have handled them all). */
  settledReports = 0;
  readonly #onMove = () => this.#moved();
  readonly #onController = () => this.#last && this.#post(viewMessage(this.#last));

  constructor(viewer: OpenSeadragon.Viewer, options: ViewReporterOptions = {}) {
    this.#viewer = viewer;
    this.#options = {
      apiPrefix: options.apiPrefix ?? '/api/tiles/',
      settleMs: options.settleMs ?? 200,
      moveIntervalMs: options.moveIntervalMs ?? 100,
      prefetch: options.prefetch ?? true,
    };
    this.#post = options.post ?? ((message) => navigator.serviceWorker?.controller?.postMessage(message));
    this.#sourceOf = options.sourceOf ?? (() => undefined);
    for (const event of MOVE_EVENTS) viewer.addHandler(event, this.#onMove);
    viewer.world.addHandler('add-item', this.#onMove);
    navigator.serviceWorker?.addEventListener('controllerchange', this.#onController);
    this.#moved();
  }

  /** The last view reported, for tests and the stats overlay. */
  get lastView(): ViewState | null {
    return this.#last;
  }

  /** The view now, or null while the viewer has no image of the tile API. */
  currentView(settled: boolean): ViewState | null {
    const item = this.#viewer.world.getItemCount() > 0 ? this.#viewer.world.getItemAt(0) : null;
    if (!item) return null;
    const named = this.#named(item.source);
    if (!named) return null;
    const { dataset, tileUrlPrefix, info } = named;
    const viewport = this.#viewer.viewport;
    const bounds = item.viewportToImageRectangle(viewport.getBounds(true));
    const zoom = item.viewportToImageZoom(viewport.getZoom(true)) * OpenSeadragon.pixelDensityRatio;
    return {
      viewerId: this.viewerId,
      dataset,
      tileUrlPrefix,
      info,
      rect: { x: bounds.x, y: bounds.y, width: bounds.width, height: bounds.height },
      level: drawnLevel(info, zoom),
      settled,
      prefetch: this.#options.prefetch,
    };
  }

  /** Reports the view again (and once more when it settles): after the worker accepted a source, so prefetch follows it. */
  refresh(): void {
    this.#moved();
  }

  /** The source's name and geometry for the worker: its registered spec, or the own tile API's dataset read from a tile URL. */
  #named(source: OpenSeadragon.TileSource): Pick<ViewState, 'dataset' | 'tileUrlPrefix' | 'info'> | null {
    const spec = this.#sourceOf(source);
    if (spec) {
      const { width, height, tileSize, overlap, minLevel, maxLevel, format } = spec.pyramid;
      return { dataset: spec.id, tileUrlPrefix: spec.tileRoot, info: { width, height, tileSize, overlap, minLevel, maxLevel, format, version: 'page' } };
    }
    const url = source.getTileUrl(source.maxLevel, 0, 0);
    const key = typeof url === 'string' ? matchTilePath(new URL(url, location.href).pathname, this.#options.apiPrefix) : null;
    if (!key || !isTileExtension(key.ext)) return null;
    const info: DatasetInfo = {
      width: source.dimensions.x,
      height: source.dimensions.y,
      tileSize: source.getTileWidth(source.maxLevel),
      overlap: source.tileOverlap,
      minLevel: source.minLevel,
      maxLevel: source.maxLevel,
      format: key.ext,
      version: 'page', // the worker knows the real version; the geometry is all it needs from here
    };
    return { dataset: key.dataset, tileUrlPrefix: `${this.#options.apiPrefix}${encodeURIComponent(key.dataset)}/`, info };
  }

  dispose(): void {
    clearTimeout(this.#settleTimer);
    for (const event of MOVE_EVENTS) this.#viewer.removeHandler(event, this.#onMove);
    this.#viewer.world.removeHandler('add-item', this.#onMove);
    navigator.serviceWorker?.removeEventListener('controllerchange', this.#onController);
    this.#post(viewerClosedMessage(this.viewerId));
  }

  #moved(): void {
    const now = performance.now();
    if (now - this.#lastMoveReport >= this.#options.moveIntervalMs) {
      this.#lastMoveReport = now;
      this.#report(false);
    }
    // Every move restarts the quiet period; the last one always ends in a settled report.
    clearTimeout(this.#settleTimer);
    this.#settleTimer = setTimeout(() => this.#report(true), this.#options.settleMs);
  }

  #report(settled: boolean): void {
    const view = this.currentView(settled);
    if (!view) return;
    this.#last = view;
    if (settled) this.settledReports += 1;
    this.#post(viewMessage(view));
  }
}

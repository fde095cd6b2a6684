/**
 * Page-side batching for one viewer: every accelerated tile source in its
 * world gets OpenSeadragon 6's batch hooks (`batch-hooks.ts`), so a view's
 * tiles leave as one `POST {apiPrefix}{dataset}/batch` instead of one request
 * per tile (each worker-answered response costs Chromium ~2 ms, see README),
 * and the viewer's ImageLoader gets the 6.1.1 workarounds
 * (`osd-batch-workarounds.ts`).
 *
 * A source is accelerated when it names its companion dataset: the
 * `tileAccelerator: { dataset, apiPrefix }` that `tileApiSource` sets, or,
 * failing that, a same-origin tile URL `{apiPrefix}{dataset}/{level}/{x}/{y}.{ext}`.
 * Other sources load as before, one tile at a time.
 */
import type OpenSeadragon from 'openseadragon';
import { MAX_BATCH_TILES } from '../shared/batch-protocol.ts';
import { matchTilePath } from '../shared/dataset-path.ts';
import { hookSource, type BatchHookSettings, type PageBatchStats } from './batch-hooks.ts';
import { OSD_BATCH_DEFECTS, patchClear, type OsdBatchDefect } from './osd-batch-workarounds.ts';
import type { OsdImageJob, OsdImageLoader, OsdSource } from './osd-internals.ts';
import type { PageBatchTarget } from './page-batch-request.ts';

export interface PageBatchingOptions {
  /** Most tiles in one batch; 1..100 (the companion's limit). Default 100. */
  maxTiles?: number;
  /** How long OSD gathers tiles into a batch when no draw sends it first, in ms. Default 5. */
  waitMs?: number;
  /** `bitmap` (default): decode with createImageBitmap off the main thread; `blob`: hand OSD the Blob. */
  decode?: 'bitmap' | 'blob';
  /** OpenSeadragon 6.1.1 workarounds, all on by default; turn one off only to test it or on a release that fixed it. */
  workarounds?: Partial<Record<OsdBatchDefect, boolean>>;
  /** The tile API prefix of the companion (default `/api/tiles/`), for sources without a `tileAccelerator` marker. */
  apiPrefix?: string;
  /** The page's fetch (tests and wrappers). */
  fetch?: typeof fetch;
}

export type { PageBatchStats, PageBatchTarget };

export function resolvePageBatchingOptions(options: PageBatchingOptions = {}): BatchHookSettings & { apiPrefix: string } {
  const maxTiles = options.maxTiles ?? MAX_BATCH_TILES;
  if (!Number.isInteger(maxTiles) || maxTiles < 1 || maxTiles > MAX_BATCH_TILES) {
    throw new RangeError(`pageBatching.maxTiles must be an integer from 1 to ${MAX_BATCH_TILES}, got ${maxTiles}.`);
  }
  const waitMs = options.waitMs ?? 5;
  if (!(waitMs >= 0 && waitMs <= 1000)) throw new RangeError(`pageBatching.waitMs must be 0..1000 ms, got ${waitMs}.`);
  const decode = options.decode ?? 'bitmap';
  if (decode !== 'bitmap' && decode !== 'blob') throw new RangeError(`pageBatching.decode must be "bitmap" or "blob", got "${String(decode)}".`);
  const workarounds = Object.fromEntries(OSD_BATCH_DEFECTS.map((name) => [name, options.workarounds?.[name] ?? true])) as Record<OsdBatchDefect, boolean>;
  const apiPrefix = options.apiPrefix ?? '/api/tiles/';
  return { maxTiles, waitMs, decode, workarounds, apiPrefix, fetch: options.fetch ?? ((input, init) => fetch(input, init)) };
}

/** The companion dataset of a source, or null when its tiles are not the accelerator's. */
export function batchTarget(source: OsdSource, apiPrefix: string): PageBatchTarget | null {
  const marker = source['tileAccelerator'] as Partial<PageBatchTarget> | undefined;
  if (marker && typeof marker.dataset === 'string') return { dataset: marker.dataset, apiPrefix: marker.apiPrefix ?? apiPrefix };
  let url: string | (() => string);
  try {
    url = source.getTileUrl(source.maxLevel, 0, 0);
  } catch {
    return null;
  }
  if (typeof url !== 'string') return null;
  const parsed = new URL(url, location.href);
  if (parsed.origin !== location.origin) return null;
  const key = matchTilePath(parsed.pathname, apiPrefix);
  return key ? { dataset: key.dataset, apiPrefix } : null;
}

export class PageBatching {
  readonly stats: PageBatchStats = { batches: 0, tiles: 0, jobs: 0, finished: 0, failed: 0, aborted: 0 };
  readonly #viewer: OpenSeadragon.Viewer;
  readonly #settings: ReturnType<typeof resolvePageBatchingOptions>;
  readonly #undo: Array<() => void> = [];
  /** A source added to the world again (same object) keeps its hooks. */
  readonly #hooked = new WeakSet<OsdSource>();
  readonly #onAddItem = (event: { item: OpenSeadragon.TiledImage }) => this.#attach(event.item);

  constructor(viewer: OpenSeadragon.Viewer, options: PageBatchingOptions = {}) {
    this.#viewer = viewer;
    this.#settings = resolvePageBatchingOptions(options);
    const loader = viewer.imageLoader as unknown as OsdImageLoader;
    if (this.#settings.workarounds.clearStaged) this.#undo.push(patchClear(loader, (job) => this.#isLive(job)));
    for (let i = 0; i < viewer.world.getItemCount(); i++) this.#attach(viewer.world.getItemAt(i));
    viewer.world.addHandler('add-item', this.#onAddItem);
  }

  /** Batches one more source on `loader` (a second ImageLoader, say); false when it is not accelerated. */
  hook(source: OsdSource, loader: OsdImageLoader): boolean {
    if (this.#hooked.has(source)) return true;
    const target = batchTarget(source, this.#settings.apiPrefix);
    if (!target) return false;
    this.#hooked.add(source);
    const unhook = hookSource(source, loader, target, this.#settings, this.stats);
    this.#undo.push(() => {
      this.#hooked.delete(source);
      unhook();
    });
    return true;
  }

  /** Puts OSD's own methods back; batches in flight finish. */
  dispose(): void {
    this.#viewer.world.removeHandler('add-item', this.#onAddItem as never);
    for (const undo of this.#undo.splice(0).reverse()) undo();
  }

  #attach(item: OpenSeadragon.TiledImage): void {
    this.hook(item.source as unknown as OsdSource, this.#viewer.imageLoader as unknown as OsdImageLoader);
  }

  #isLive(job: OsdImageJob): boolean {
    const item = job.tile?.tiledImage as OpenSeadragon.TiledImage | undefined;
    return item !== undefined && this.#viewer.world.getIndexOfItem(item) >= 0;
  }
}

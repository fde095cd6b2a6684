/**
 * Turns a tile in OpenSeadragon's coordinates into bytes, the same way for
 * single tiles and batches, whatever layout stores the pyramid.
 *
 * Info path: dataset name -> descriptor found by probing (shared/layouts:
 * own/IIIF info.json, DZI, Zoomify, vips google; or the layout configured for
 * the name) -> geometry, tile root and version, briefly cached so a re-tiled
 * pyramid is noticed within seconds.
 *
 * Read path: bounds check against the geometry -> server cache (versioned
 * key) -> negative cache -> one shared upstream read per tile (concurrent
 * callers, single or batch, wait on the same promise) of the layout's object
 * key, walking the format fallback order.
 *
 * Only a body that is really an image of the type served enters the cache
 * (shared/image-body.ts); anything else is an upstream error. The descriptor
 * is served stale while the store fails (stale-info.ts), so cached tiles
 * outlive outages.
 */
import { ByteLru } from '../shared/byte-lru.ts';
import type { DatasetInfo } from '../shared/dataset-info.ts';
import { TileError } from '../shared/errors.ts';
import { checkImageBody } from '../shared/image-body.ts';
import {
  findPyramid,
  hasTile,
  levelGrid,
  noPyramid,
  tileObjectKey,
  type DescriptorKind,
  type FoundPyramid,
  type TileAddress,
} from '../shared/layouts/index.ts';
import { cacheKey, contentTypeFor, formatTileCoord, type TileExtension, type TileKey } from '../shared/tile-key.ts';
import { DEFAULTS } from './defaults.ts';
import { formatOrder, FormatMemory, NegativeCache } from './format-fallback.ts';
import type { ObjectSource, TileBody } from './object-source.ts';
import { StaleInfoCache, type InfoReport } from './stale-info.ts';
import { ServerStats } from './stats.ts';

export interface ServedTile extends TileBody {
  /** The format actually served (may differ from the one asked for). */
  format: TileExtension;
}

export interface TileServiceOptions {
  stats?: ServerStats;
  /** Byte bound of the tile cache shared by all datasets. */
  cacheMaxBytes?: number;
  /** How long a dataset's descriptor is trusted before it is read again. */
  infoTtlMs?: number;
  /** How long the last good descriptor is served while reading it again fails. */
  infoStaleIfErrorMs?: number;
  /** Tiles being read from the store at once; a miss past it is refused (OVERLOADED). */
  maxUpstreamReads?: number;
  /** How long a tile known to exist in no format is answered 404 without asking upstream. */
  negativeTtlMs?: number;
  negativeMaxEntries?: number;
  formatMemoryMaxEntries?: number;
  /** Descriptor kind per dataset name (DATASET_LAYOUTS): only that kind's descriptor is probed. */
  layouts?: ReadonlyMap<string, DescriptorKind>;
}

export interface CacheReport {
  entries: number;
  bytes: number;
  maxBytes: number;
  inFlight: number;
}

/** Bookkeeping bytes per cached tile (key, headers), so many tiny tiles still fill the budget. */
const ENTRY_OVERHEAD_BYTES = 200;

export class TileService {
  readonly stats: ServerStats;
  readonly #source: ObjectSource;
  readonly #datasets: StaleInfoCache<FoundPyramid>;
  readonly #maxUpstreamReads: number;
  readonly #tiles: ByteLru<ServedTile>;
  readonly #missing: NegativeCache;
  readonly #formats: FormatMemory;
  readonly #layouts: ReadonlyMap<string, DescriptorKind>;
  /** Upstream reads running now, per cache key, and their count per dataset. */
  readonly #inFlight = new Set<string>();
  readonly #inFlightByDataset = new Map<string, number>();

  constructor(source: ObjectSource, options: TileServiceOptions = {}) {
    this.#source = source;
    this.stats = options.stats ?? new ServerStats();
    this.#datasets = new StaleInfoCache<FoundPyramid>({
      ttlMs: options.infoTtlMs ?? DEFAULTS.infoTtlMs,
      staleIfErrorMs: options.infoStaleIfErrorMs ?? DEFAULTS.infoStaleIfErrorMs,
    });
    this.#maxUpstreamReads = options.maxUpstreamReads ?? DEFAULTS.maxUpstreamReads;
    this.#tiles = new ByteLru<ServedTile>({
      maxBytes: options.cacheMaxBytes ?? DEFAULTS.tileCacheMaxBytes,
      sizeOf: (tile) => tile.bytes.byteLength + ENTRY_OVERHEAD_BYTES,
    });
    this.#missing = new NegativeCache({
      maxEntries: options.negativeMaxEntries ?? DEFAULTS.negativeMaxEntries,
      ttlMs: options.negativeTtlMs ?? DEFAULTS.negativeTtlMs,
    });
    this.#formats = new FormatMemory(options.formatMemoryMaxEntries ?? DEFAULTS.formatMemoryMaxEntries);
    this.#layouts = options.layouts ?? new Map();
  }

  get sourceKind(): string {
    return this.#source.kind;
  }

  get source(): ObjectSource {
    return this.#source;
  }

  /** The dataset's pyramid, tile root and version (a validated name; nested names allowed). Throws NOT_FOUND or BAD_DESCRIPTOR. */
  async dataset(dataset: string): Promise<FoundPyramid> {
    return (await this.#dataset(dataset)).found;
  }

  /** How old this dataset's descriptor is and whether it is being served stale. */
  infoReport(dataset: string): InfoReport {
    return this.#datasets.report(dataset);
  }

  async #dataset(dataset: string): Promise<{ found: FoundPyramid; stale: boolean }> {
    const missingKey = `${dataset}@info`;
    if (this.#missing.has(missingKey)) throw noPyramid(dataset);
    // Shared by every caller, so not tied to one caller's signal (the upstream timeout bounds it).
    const { info: found, stale } = await this.#datasets.get(dataset, () => {
      const read = (key: string) => this.#source.getObject(key, undefined, dataset);
      return findPyramid(dataset, read, this.#layouts.get(dataset));
    });
    if (!found) {
      this.#missing.add(missingKey);
      throw noPyramid(dataset);
    }
    if (stale) this.stats.count(dataset, 'staleInfoServed');
    return { found, stale };
  }

  /** The normalized geometry served at `/api/tiles/{dataset}/info`, in OpenSeadragon's numbering. */
  async info(dataset: string): Promise<DatasetInfo> {
    const { pyramid: p, version } = await this.dataset(dataset);
    return {
      width: p.width,
      height: p.height,
      tileSize: p.tileSize,
      overlap: p.overlap,
      minLevel: p.minLevel,
      maxLevel: p.maxLevel,
      format: p.format,
      version,
      layout: p.layout,
      rounding: p.rounding,
    };
  }

  /**
   * The tile's bytes in the first format that exists. A caller going away
   * does not cancel the read: it is shared with other callers, and
   * is bounded by the upstream timeout.
   */
  async tile(key: TileKey): Promise<ServedTile> {
    const { dataset } = key;
    const { found, stale } = await this.#dataset(dataset);
    const address: TileAddress = { level: key.z, x: key.x, y: key.y };
    if (!hasTile(found.pyramid, address)) {
      this.stats.count(dataset, 'outOfBounds');
      throw outOfBounds(key, found);
    }
    const id = cacheKey(dataset, found.version, key);
    const cached = this.#tiles.get(id);
    if (cached) {
      this.stats.count(dataset, 'cacheHits');
      if (stale) this.stats.count(dataset, 'staleTilesServed');
      return cached;
    }
    if (this.#missing.has(id)) {
      this.stats.count(dataset, 'negativeHits');
      throw notFound(key);
    }
    this.stats.count(dataset, 'cacheMisses');
    if (this.#inFlight.has(id)) this.stats.count(dataset, 'dedupedWaits');
    else if (this.#inFlight.size >= this.#maxUpstreamReads) {
      this.stats.count(dataset, 'overloaded');
      throw new TileError('OVERLOADED', `The companion is already reading ${this.#inFlight.size} tiles from the store; retry in a moment.`);
    }
    const tile = await this.#tiles.load(id, () => this.#readAnyFormat(id, key, found, address));
    if (!tile) throw notFound(key);
    return tile;
  }

  /** Empties one dataset's tiles, negative entries, format memory and descriptor; returns tiles removed. */
  clear(dataset: string): number {
    const removed = this.#tiles.deletePrefix(`${dataset}@`);
    this.#missing.deletePrefix(`${dataset}@`);
    this.#formats.forget(dataset);
    this.#datasets.delete(dataset);
    return removed;
  }

  cacheReport(dataset?: string): CacheReport {
    const { entries, bytes } = dataset === undefined ? { entries: this.#tiles.entries, bytes: this.#tiles.bytes } : this.#tiles.prefixStats(`${dataset}@`);
    const inFlight = dataset === undefined ? this.#inFlight.size : (this.#inFlightByDataset.get(dataset) ?? 0);
    return { entries, bytes, maxBytes: this.#tiles.maxBytes, inFlight };
  }

  async #readAnyFormat(id: string, key: TileKey, found: FoundPyramid, address: TileAddress): Promise<ServedTile | undefined> {
    const { dataset, z } = key;
    this.#inFlight.add(id);
    this.#inFlightByDataset.set(dataset, (this.#inFlightByDataset.get(dataset) ?? 0) + 1);
    try {
      for (const format of formatOrder(key.ext, this.#formats.get(dataset, z), found.pyramid.format)) {
        const body = await this.#read(dataset, tileObjectKey(found.root, { ...found.pyramid, format }, address));
        if (!body) continue;
        const contentType = contentTypeFor(format);
        const verdict = checkImageBody(body.bytes, { contentType });
        if (!verdict.ok) {
          // Never cached: the next request asks the store again, which may have recovered.
          this.stats.count(dataset, 'sourceErrors');
          this.stats.count(dataset, 'invalidBodies');
          throw new TileError(
            'UPSTREAM_ERROR',
            `The tile store's answer for tile ${formatTileCoord({ ...key, ext: format })} of dataset "${dataset}" is not a tile: ${verdict.reason}. It was not cached.`,
          );
        }
        if (format !== key.ext) this.stats.count(dataset, 'fallbacks');
        this.#formats.remember(dataset, z, format);
        return { bytes: body.bytes, etag: body.etag, contentType, format };
      }
      // vips --layout google skips blank tiles and writes one blank.png in their place.
      const blank = found.blankKey ? await this.#read(dataset, found.blankKey) : null;
      if (blank) return { bytes: blank.bytes, etag: blank.etag, contentType: 'image/png', format: 'png' };
      this.#missing.add(id);
      return undefined;
    } finally {
      this.#inFlight.delete(id);
      const left = (this.#inFlightByDataset.get(dataset) ?? 1) - 1;
      if (left > 0) this.#inFlightByDataset.set(dataset, left);
      else this.#inFlightByDataset.delete(dataset);
    }
  }

  /** One counted read of one exact object; a failing read is not "absent" (no misleading fallback). */
  async #read(dataset: string, objectKey: string) {
    this.stats.count(dataset, 'sourceReads');
    try {
      const body = await this.#source.getObject(objectKey, undefined, dataset);
      this.stats.count(dataset, body ? 'sourceFound' : 'sourceMissing');
      return body;
    } catch (error) {
      this.stats.count(dataset, 'sourceErrors');
      throw error;
    }
  }
}

function notFound(key: TileKey): TileError {
  return new TileError('NOT_FOUND', `Tile ${formatTileCoord(key)} of dataset "${key.dataset}" does not exist in any format (tried jpg, png, webp).`);
}

function outOfBounds(key: TileKey, found: FoundPyramid): TileError {
  const p = found.pyramid;
  if (key.z < p.minLevel || key.z > p.maxLevel) {
    return new TileError('BAD_TILE_KEY', `Tile level ${key.z} is outside dataset "${key.dataset}": levels are ${p.minLevel}-${p.maxLevel}.`);
  }
  const { columns, rows } = levelGrid(p, key.z);
  return new TileError('BAD_TILE_KEY', `Tile ${formatTileCoord(key)} is outside dataset "${key.dataset}": level ${key.z} has x 0-${columns - 1}, y 0-${rows - 1}.`);
}

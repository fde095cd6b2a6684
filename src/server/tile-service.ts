/**
 * Turns a parsed tile key into bytes, the same way for single tiles and
 * batches: dataset info (briefly cached, so a new version is noticed within
 * seconds) -> bounds check -> server cache (versioned key) -> negative cache
 * -> one shared upstream read per tile (concurrent callers, single or batch,
 * wait on the same promise) that walks the format fallback order.
 * Only a body that is really an image of the type served enters the cache
 * (shared/image-body.ts); anything else is an upstream error. Info is served
 * stale while the store fails (stale-info.ts), so cached tiles outlive outages.
 */
import { ByteLru } from '../shared/byte-lru.ts';
import { checkImageBody } from '../shared/image-body.ts';
import { isTileInBounds, levelTiles, type DatasetInfo } from '../shared/dataset-info.ts';
import { TileError } from '../shared/errors.ts';
import { cacheKey, formatTileCoord, type TileExtension, type TileKey } from '../shared/tile-key.ts';
import { DEFAULTS } from './defaults.ts';
import { formatOrder, FormatMemory, NegativeCache } from './format-fallback.ts';
import { StaleInfoCache, type InfoReport } from './stale-info.ts';
import { ServerStats } from './stats.ts';
import type { TileBody, TileSource } from './tile-source.ts';

export interface ServedTile extends TileBody {
  /** The format actually served (may differ from the one asked for). */
  format: TileExtension;
}

export interface TileServiceOptions {
  stats?: ServerStats;
  /** Byte bound of the tile cache shared by all datasets. */
  cacheMaxBytes?: number;
  /** How long a dataset's info.json is trusted before it is read again. */
  infoTtlMs?: number;
  /** How long the last good info.json is served while reading it again fails. */
  infoStaleIfErrorMs?: number;
  /** Tiles being read from the store at once; a miss past it is refused (OVERLOADED). */
  maxUpstreamReads?: number;
  /** How long a tile known to exist in no format is answered 404 without asking upstream. */
  negativeTtlMs?: number;
  negativeMaxEntries?: number;
  formatMemoryMaxEntries?: number;
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
  readonly #source: TileSource;
  readonly #infos: StaleInfoCache;
  readonly #maxUpstreamReads: number;
  readonly #tiles: ByteLru<ServedTile>;
  readonly #missing: NegativeCache;
  readonly #formats: FormatMemory;
  /** Upstream reads running now, per cache key, and their count per dataset. */
  readonly #inFlight = new Set<string>();
  readonly #inFlightByDataset = new Map<string, number>();

  constructor(source: TileSource, options: TileServiceOptions = {}) {
    this.#source = source;
    this.stats = options.stats ?? new ServerStats();
    this.#infos = new StaleInfoCache({
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
  }

  get sourceKind(): string {
    return this.#source.kind;
  }

  get source(): TileSource {
    return this.#source;
  }

  async info(dataset: string): Promise<DatasetInfo> {
    return (await this.#info(dataset)).info;
  }

  /** How old this dataset's info is and whether it is being served stale. */
  infoReport(dataset: string): InfoReport {
    return this.#infos.report(dataset);
  }

  async #info(dataset: string): Promise<{ info: DatasetInfo; stale: boolean }> {
    const missingKey = `${dataset}@info`;
    const absent = () => new TileError('NOT_FOUND', `Dataset "${dataset}" does not exist (no ${dataset}/info.json).`);
    if (this.#missing.has(missingKey)) throw absent();
    // Shared by every caller, so not tied to one caller's signal (the upstream timeout bounds it).
    const { info, stale } = await this.#infos.get(dataset, () => this.#source.getInfo(dataset));
    if (!info) {
      this.#missing.add(missingKey);
      throw absent();
    }
    if (stale) this.stats.count(dataset, 'staleInfoServed');
    return { info, stale };
  }

  /**
   * The tile's bytes in the first format that exists. A caller going away
   * does not cancel the read: it is shared with other callers, and
   * is bounded by the upstream timeout.
   */
  async tile(key: TileKey): Promise<ServedTile> {
    const { dataset } = key;
    const { info, stale } = await this.#info(dataset);
    if (!isTileInBounds(info, key)) {
      this.stats.count(dataset, 'outOfBounds');
      throw outOfBounds(key, info);
    }
    const id = cacheKey(dataset, info.version, key);
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
    const tile = await this.#tiles.load(id, () => this.#readAnyFormat(id, key));
    if (!tile) throw notFound(key);
    return tile;
  }

  /** Empties one dataset's tiles, negative entries, format memory and info; returns tiles removed. */
  clear(dataset: string): number {
    const removed = this.#tiles.deletePrefix(`${dataset}@`);
    this.#missing.deletePrefix(`${dataset}@`);
    this.#formats.forget(dataset);
    this.#infos.delete(dataset);
    return removed;
  }

  cacheReport(dataset?: string): CacheReport {
    const { entries, bytes } = dataset === undefined ? { entries: this.#tiles.entries, bytes: this.#tiles.bytes } : this.#tiles.prefixStats(`${dataset}@`);
    const inFlight = dataset === undefined ? this.#inFlight.size : (this.#inFlightByDataset.get(dataset) ?? 0);
    return { entries, bytes, maxBytes: this.#tiles.maxBytes, inFlight };
  }

  async #readAnyFormat(id: string, key: TileKey): Promise<ServedTile | undefined> {
    const { dataset, z } = key;
    this.#inFlight.add(id);
    this.#inFlightByDataset.set(dataset, (this.#inFlightByDataset.get(dataset) ?? 0) + 1);
    try {
      for (const format of formatOrder(key.ext, this.#formats.get(dataset, z))) {
        this.stats.count(dataset, 'sourceReads');
        let body: TileBody | null;
        try {
          body = await this.#source.getTile({ ...key, ext: format });
        } catch (error) {
          // A failing read is not "absent": stop here rather than serve a misleading fallback.
          this.stats.count(dataset, 'sourceErrors');
          throw error;
        }
        if (!body) {
          this.stats.count(dataset, 'sourceMissing');
          continue;
        }
        const verdict = checkImageBody(body.bytes, { contentType: body.contentType });
        if (!verdict.ok) {
          // Never cached: the next request asks the store again, which may have recovered.
          this.stats.count(dataset, 'sourceErrors');
          this.stats.count(dataset, 'invalidBodies');
          throw new TileError(
            'UPSTREAM_ERROR',
            `The tile store's answer for tile ${formatTileCoord({ ...key, ext: format })} of dataset "${dataset}" is not a tile: ${verdict.reason}. It was not cached.`,
          );
        }
        this.stats.count(dataset, 'sourceFound');
        if (format !== key.ext) this.stats.count(dataset, 'fallbacks');
        this.#formats.remember(dataset, z, format);
        return { ...body, format };
      }
      this.#missing.add(id);
      return undefined;
    } finally {
      this.#inFlight.delete(id);
      const left = (this.#inFlightByDataset.get(dataset) ?? 1) - 1;
      if (left > 0) this.#inFlightByDataset.set(dataset, left);
      else this.#inFlightByDataset.delete(dataset);
    }
  }
}

function notFound(key: TileKey): TileError {
  return new TileError('NOT_FOUND', `Tile ${formatTileCoord(key)} of dataset "${key.dataset}" does not exist in any format (tried jpg, png, webp).`);
}

function outOfBounds(key: TileKey, info: DatasetInfo): TileError {
  if (key.z < info.minLevel || key.z > info.maxLevel) {
    return new TileError('BAD_TILE_KEY', `Tile level ${key.z} is outside dataset "${key.dataset}": levels are ${info.minLevel}-${info.maxLevel}.`);
  }
  const { columns, rows } = levelTiles(info, key.z);
  return new TileError('BAD_TILE_KEY', `Tile ${formatTileCoord(key)} is outside dataset "${key.dataset}": level ${key.z} has x 0-${columns - 1}, y 0-${rows - 1}.`);
}

/**
 * Turns a parsed tile key into bytes: dataset info (briefly cached, so a new
 * version is noticed within seconds), then the source. Every route goes
 * through here, so single tiles and batches behave the same.
 */
import type { DatasetInfo } from '../shared/dataset-info.ts';
import { TileError } from '../shared/errors.ts';
import { ByteLru } from '../shared/byte-lru.ts';
import { formatTileCoord, type TileExtension, type TileKey } from '../shared/tile-key.ts';
import type { TileBody, TileSource } from './tile-source.ts';

export interface ServedTile extends TileBody {
  /** The format actually served (may differ from the one asked for). */
  format: TileExtension;
}

export interface TileServiceOptions {
  /** How long a dataset's info.json is trusted before it is read again. */
  infoTtlMs?: number;
}

export class TileService {
  readonly #source: TileSource;
  readonly #infos: ByteLru<DatasetInfo>;

  constructor(source: TileSource, options: TileServiceOptions = {}) {
    this.#source = source;
    this.#infos = new ByteLru<DatasetInfo>({ maxBytes: 1000, sizeOf: () => 1, ttlMs: options.infoTtlMs ?? 5_000 });
  }

  get sourceKind(): string {
    return this.#source.kind;
  }

  async info(dataset: string, signal?: AbortSignal): Promise<DatasetInfo> {
    const info = await this.#infos.load(dataset, async () => (await this.#source.getInfo(dataset, signal)) ?? undefined);
    if (!info) throw new TileError('NOT_FOUND', `Dataset "${dataset}" does not exist (no ${dataset}/info.json).`);
    return info;
  }

  async tile(key: TileKey, signal?: AbortSignal): Promise<ServedTile> {
    await this.info(key.dataset, signal);
    const body = await this.#source.getTile(key, signal);
    if (!body) {
      throw new TileError('NOT_FOUND', `Tile ${formatTileCoord(key)} of dataset "${key.dataset}" does not exist.`);
    }
    return { ...body, format: key.ext };
  }
}

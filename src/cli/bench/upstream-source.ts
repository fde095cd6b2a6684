/**
 * Stand-in until the companion's R2 public-URL source is merged: a TileSource
 * doing unsigned GETs of `{base}/{dataset}/{z}/{x}/{y}.{ext}` over one
 * unlimited keep-alive undici pool, which is what that source does.
 */
import { Pool } from 'undici';
import { parseDatasetInfo, type DatasetInfo } from '../../shared/dataset-info.ts';
import { TileError } from '../../shared/errors.ts';
import { contentTypeFor, objectKey, type TileKey } from '../../shared/tile-key.ts';
import type { TileBody, TileSource } from '../../server/tile-source.ts';

export class UpstreamUrlSource implements TileSource {
  readonly kind = 'bench-upstream';
  readonly #pool: Pool;

  constructor(baseUrl: string) {
    this.#pool = new Pool(baseUrl, { keepAliveTimeout: 60_000 });
  }

  async getInfo(dataset: string, signal?: AbortSignal): Promise<DatasetInfo | null> {
    const bytes = await this.#get(`/${dataset}/info.json`, signal);
    return bytes && parseDatasetInfo(JSON.parse(new TextDecoder().decode(bytes)), dataset);
  }

  async getTile(key: TileKey, signal?: AbortSignal): Promise<TileBody | null> {
    const bytes = await this.#get(`/${objectKey(key)}`, signal);
    return bytes && { bytes, contentType: contentTypeFor(key.ext), etag: `"${bytes.byteLength.toString(16)}"` };
  }

  close(): Promise<void> {
    return this.#pool.close();
  }

  async #get(path: string, signal?: AbortSignal): Promise<Uint8Array<ArrayBuffer> | null> {
    const response = await this.#pool.request({ method: 'GET', path, ...(signal ? { signal } : {}) });
    if (response.statusCode === 404) {
      await response.body.dump();
      return null;
    }
    if (response.statusCode !== 200) {
      await response.body.dump();
      throw new TileError('UPSTREAM_ERROR', `Bench upstream answered ${response.statusCode} for ${path}.`);
    }
    return new Uint8Array(await response.body.arrayBuffer());
  }
}

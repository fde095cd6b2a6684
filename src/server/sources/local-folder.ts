/**
 * The embedded default: tiles read from a folder laid out as the bucket is
 * (`{dataset}/{z}/{x}/{y}.{ext}`). Keys reach here already parsed and checked,
 * and the resolved path is checked again to stay inside the folder.
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { parseDatasetInfo, type DatasetInfo } from '../../shared/dataset-info.ts';
import { TileError } from '../../shared/errors.ts';
import { assertDatasetName, contentTypeFor, objectKey, type TileKey } from '../../shared/tile-key.ts';
import type { TileBody, TileSource } from '../tile-source.ts';

export class LocalFolderSource implements TileSource {
  readonly kind = 'local-folder';
  readonly #root: string;

  constructor(root: string) {
    this.#root = resolve(root);
  }

  async getInfo(dataset: string): Promise<DatasetInfo | null> {
    const text = await this.#read(`${assertDatasetName(dataset)}/info.json`);
    if (!text) return null;
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(text.bytes));
    } catch (error) {
      throw new TileError('UPSTREAM_ERROR', `info.json of dataset "${dataset}" is not valid JSON.`, { cause: error });
    }
    return parseDatasetInfo(json, dataset);
  }

  async getTile(key: TileKey): Promise<TileBody | null> {
    const file = await this.#read(objectKey(key));
    return file && { bytes: file.bytes, contentType: contentTypeFor(key.ext), etag: file.etag };
  }

  async #read(relative: string): Promise<{ bytes: Uint8Array<ArrayBuffer>; etag: string } | null> {
    const path = resolve(this.#root, relative);
    if (!path.startsWith(this.#root + sep)) {
      throw new TileError('BAD_TILE_KEY', `Path "${relative}" leaves the tiles folder.`);
    }
    try {
      const [bytes, info] = await Promise.all([readFile(path), stat(path)]);
      const etag = `"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
      return { bytes: new Uint8Array(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength), etag };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return null;
      throw new TileError('UPSTREAM_ERROR', `Reading ${relative} from the tiles folder failed (${code ?? 'unknown error'}).`, {
        cause: error,
      });
    }
  }
}

/**
 * The embedded default: objects read from a folder laid out as the bucket is
 * (any pyramid layout; `TILES_DIR`). Keys are built from validated names, and
 * the resolved path is checked again to stay inside the folder.
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { TileError } from '../../shared/errors.ts';
import type { ObjectSource, SourceObject } from '../object-source.ts';

export class LocalFolderSource implements ObjectSource {
  readonly kind = 'local-folder';
  readonly #root: string;

  constructor(root: string) {
    this.#root = resolve(root);
  }

  async getObject(key: string): Promise<SourceObject | null> {
    const path = resolve(this.#root, key);
    if (!path.startsWith(this.#root + sep)) {
      throw new TileError('BAD_TILE_KEY', `Path "${key}" leaves the tiles folder.`);
    }
    try {
      const [bytes, info] = await Promise.all([readFile(path), stat(path)]);
      const etag = `"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
      return { bytes: new Uint8Array(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength), contentType: null, etag };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return null;
      throw new TileError('UPSTREAM_ERROR', `Reading ${key} from the tiles folder failed (${code ?? 'unknown error'}).`, {
        cause: error,
      });
    }
  }
}

/**
 * Where tiles come from. The app never knows whether it reads R2 or a folder:
 * it is handed one of these. A source answers for exact object keys only;
 * format fallback and caching sit above it, in the tile service.
 */
import type { DatasetInfo } from '../shared/dataset-info.ts';
import type { TileKey } from '../shared/tile-key.ts';

export interface TileBody {
  bytes: Uint8Array<ArrayBuffer>;
  contentType: string;
  /** A strong validator for the bytes, quoted as in HTTP. */
  etag: string;
}

export interface TileSource {
  /** For logs and stats, e.g. "local-folder" or "r2-s3". */
  readonly kind: string;
  /** The dataset's info.json, or null when the dataset does not exist. */
  getInfo(dataset: string, signal?: AbortSignal): Promise<DatasetInfo | null>;
  /** The object at exactly this key (extension included), or null when absent. */
  getTile(key: TileKey, signal?: AbortSignal): Promise<TileBody | null>;
}

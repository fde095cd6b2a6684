/**
 * The companion's one upstream primitive: read one object by key. Local
 * folder, R2 through S3, R2 public URL and the R2 Workers binding each
 * implement only this; descriptors, layouts, format fallback and caching are
 * built once above it (tile-service.ts, shared/layouts). A source answers for
 * exact keys: absence is null, every other failure a TileError.
 */

export interface SourceObject {
  bytes: Uint8Array<ArrayBuffer>;
  /** The store's Content-Type, when it keeps one. */
  contentType: string | null;
  /** A strong validator for the bytes, quoted as in HTTP. */
  etag: string;
}

export interface ObjectSource {
  /** For logs and stats, e.g. "local-folder" or "r2-s3". */
  readonly kind: string;
  /**
   * The object at exactly `key` (already validated: never raw client input),
   * or null when it does not exist. `dataset` labels the upstream counters.
   */
  getObject(key: string, signal?: AbortSignal, dataset?: string): Promise<SourceObject | null>;
}

/** What the service hands the routes for one tile. */
export interface TileBody {
  bytes: Uint8Array<ArrayBuffer>;
  contentType: string;
  etag: string;
}

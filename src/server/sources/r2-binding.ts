/**
 * R2 through a Cloudflare Workers bucket binding (`env.TILES.get(key)`): no
 * HTTP, no signing, no connection pool: the runtime does all three. Typed
 * against the few members used, so this file compiles without the Workers
 * type package and tests can pass any object of that shape.
 */
import { TileError } from '../../shared/errors.ts';
import type { ObjectSource, SourceObject } from '../object-source.ts';
import { UpstreamMetrics } from '../upstream/upstream-metrics.ts';
import { quotedEtag } from './object-store.ts';

/** The slice of Workers' `R2ObjectBody` this source reads. */
export interface R2ObjectBodyLike {
  arrayBuffer(): Promise<ArrayBuffer>;
  /** Quoted ETag, ready for an HTTP header. */
  httpEtag: string;
  httpMetadata?: { contentType?: string };
}

/** The slice of Workers' `R2Bucket` this source calls. */
export interface R2BucketLike {
  get(key: string): Promise<R2ObjectBodyLike | null>;
}

export class R2BindingSource implements ObjectSource {
  readonly kind = 'r2-binding';
  /** Each get() is one R2 Class B operation; counted like the HTTP sources' GETs. */
  readonly metrics = new UpstreamMetrics();
  readonly #bucket: R2BucketLike;
  readonly #maxObjectBytes: number;

  constructor(bucket: R2BucketLike, options: { maxObjectBytes?: number } = {}) {
    this.#bucket = bucket;
    this.#maxObjectBytes = options.maxObjectBytes ?? 8 * 1024 * 1024;
  }

  async getObject(key: string, _signal?: AbortSignal, dataset = ''): Promise<SourceObject | null> {
    const started = performance.now();
    try {
      const object = await this.#bucket.get(key);
      if (!object) {
        this.metrics.request(dataset, 'notFound', performance.now() - started);
        return null;
      }
      const bytes = new Uint8Array(await object.arrayBuffer());
      this.metrics.request(dataset, 'ok', performance.now() - started);
      if (bytes.length > this.#maxObjectBytes) {
        throw new TileError('UPSTREAM_ERROR', `${key} is over the ${this.#maxObjectBytes}-byte limit for one tile.`);
      }
      return { bytes, contentType: object.httpMetadata?.contentType ?? null, etag: quotedEtag(object.httpEtag, bytes) };
    } catch (error) {
      if (error instanceof TileError) throw error;
      this.metrics.request(dataset, 'serverError', performance.now() - started);
      throw new TileError('UPSTREAM_ERROR', `Reading ${key} from the R2 binding failed (${(error as Error).message}).`, { cause: error });
    }
  }
}

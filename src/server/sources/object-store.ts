/**
 * An object source over an HTTP object store (any pyramid layout). The two R2
 * sources differ only in how an object's URL is built and signed; reading,
 * limits and error mapping live in HttpUpstream.
 */
import type { ObjectSource, SourceObject } from '../object-source.ts';
import type { HttpUpstream, UpstreamHealth } from '../upstream/http-upstream.ts';
import type { UpstreamMetrics } from '../upstream/upstream-metrics.ts';

export interface ObjectRequest {
  url: string;
  headers: Record<string, string>;
}

export abstract class ObjectStoreSource implements ObjectSource {
  abstract readonly kind: string;
  readonly #upstream: HttpUpstream;

  constructor(upstream: HttpUpstream) {
    this.#upstream = upstream;
  }

  get metrics(): UpstreamMetrics {
    return this.#upstream.metrics;
  }

  /** Circuit breaker and retry budget, for cache-stats. */
  health(): UpstreamHealth {
    return this.#upstream.health();
  }

  /** The URL and headers of a GET for `key` (already validated, never from raw input). */
  protected abstract request(key: string): Promise<ObjectRequest>;

  async getObject(key: string, signal?: AbortSignal, dataset = ''): Promise<SourceObject | null> {
    const { url, headers } = await this.request(key);
    const object = await this.#upstream.get(url, headers, dataset, signal, key);
    return object && { bytes: object.bytes, contentType: object.contentType, etag: quotedEtag(object.etag, object.bytes) };
  }
}

/** The store's ETag when it sent one (R2 does), else a hash of the bytes: 304s must still work. */
export function quotedEtag(etag: string | null, bytes: Uint8Array): string {
  // An ETag past 128 characters is odd metadata (a tile's frame holds 255 bytes): use the hash instead.
  if (etag && etag.length <= 128 && /^(W\/)?"[^"]*"$/.test(etag)) return etag;
  if (etag && etag.length <= 126 && !etag.includes('"')) return `"${etag}"`;
  let hash = 0x811c9dc5; // FNV-1a
  for (const byte of bytes) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return `"${bytes.length.toString(16)}-${hash.toString(16)}"`;
}

/** Encodes each path segment of an object key (keys are validated, but be exact for signing). */
export function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

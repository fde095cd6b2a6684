/**
 * An ObjectSource that asks the edge cache (`caches.default`) before R2: the
 * tile service above it (memory tier, dedupe, format fallback, layouts) does
 * not know the tier exists.
 *
 * Only tile objects (image keys) are edge-cached, each exact object under the
 * version of its dataset's descriptor: a descriptor is read from R2 each time
 * the tile service's short descriptor TTL runs out (one Class B read per
 * isolate every few seconds at most) because it is what tells a re-tiled
 * pyramid apart, and its ETag becomes the version in the tiles' edge keys. A
 * fallback walk that R2 answered "absent" is remembered too, so it costs
 * nothing the next time, in any isolate.
 *
 * `metrics` are the inner source's (R2 operations only); `edgeCache` is the
 * tier's own counters: cache-stats shows both, side by side.
 */
import type { ObjectSource, SourceObject } from '../object-source.ts';
import type { UpstreamMetrics } from '../upstream/upstream-metrics.ts';
import type { EdgeCache } from './edge-cache.ts';

/** Datasets whose version is remembered; beyond this the edge is skipped for new names (bounded). */
const MAX_VERSIONS = 1000;
const TILE_OBJECT = /\.(jpe?g|png|webp|gif)$/i;

export class EdgeCachedSource implements ObjectSource {
  readonly #inner: ObjectSource & { readonly metrics?: UpstreamMetrics };
  readonly #edge: EdgeCache;
  readonly #versions = new Map<string, string>();

  constructor(inner: ObjectSource & { readonly metrics?: UpstreamMetrics }, edge: EdgeCache) {
    this.#inner = inner;
    this.#edge = edge;
  }

  get kind(): string {
    return this.#inner.kind;
  }

  /** R2 operations (Class B), as the inner source counted them. */
  get metrics(): UpstreamMetrics | undefined {
    return this.#inner.metrics;
  }

  get edgeCache(): EdgeCache {
    return this.#edge;
  }

  async getObject(key: string, signal?: AbortSignal, dataset = ''): Promise<SourceObject | null> {
    if (!TILE_OBJECT.test(key)) {
      const descriptor = await this.#inner.getObject(key, signal, dataset);
      if (descriptor && (this.#versions.has(dataset) || this.#versions.size < MAX_VERSIONS)) this.#versions.set(dataset, descriptor.etag);
      return descriptor;
    }
    const version = this.#versions.get(dataset);
    if (!this.#edge.enabled || version === undefined) return this.#inner.getObject(key, signal, dataset);
    const entry = `${dataset}@${version}/${key}`;
    const found = await this.#edge.lookup(dataset, entry);
    if (found.kind === 'hit') return found.object;
    if (found.kind === 'absent') return null;
    const object = await this.#inner.getObject(key, signal, dataset);
    this.#edge.put(dataset, entry, object && { ...object, contentType: object.contentType ?? 'application/octet-stream' });
    return object;
  }
}

/**
 * A TileSource that asks the edge cache before R2: the tile service above it
 * (memory tier, dedupe, format fallback) does not know the tier exists.
 * Each exact object (one format of one tile) is one entry, keyed by the
 * dataset version the source last read from info.json, so a fallback walk
 * that R2 answered "absent" costs nothing the next time, in any isolate.
 *
 * `metrics` are the inner source's (R2 operations only); `edgeCache` is the
 * tier's own counters: cache-stats shows both, side by side.
 */
import type { DatasetInfo } from '../../shared/dataset-info.ts';
import { formatTileCoord, type TileKey } from '../../shared/tile-key.ts';
import type { TileBody, TileSource } from '../tile-source.ts';
import type { UpstreamMetrics } from '../upstream/upstream-metrics.ts';
import type { EdgeCache } from './edge-cache.ts';

/** Datasets whose version is remembered; beyond this the edge is skipped for new names (bounded). */
const MAX_VERSIONS = 1000;

export class EdgeCachedSource implements TileSource {
  readonly #inner: TileSource & { readonly metrics?: UpstreamMetrics };
  readonly #edge: EdgeCache;
  readonly #versions = new Map<string, string>();

  constructor(inner: TileSource & { readonly metrics?: UpstreamMetrics }, edge: EdgeCache) {
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

  /**
   * info.json is read from R2 each time the tile service's short info TTL
   * runs out (one Class B read per isolate every few seconds at most): it is
   * what tells a new dataset version apart, so it is not edge-cached.
   */
  async getInfo(dataset: string, signal?: AbortSignal): Promise<DatasetInfo | null> {
    const info = await this.#inner.getInfo(dataset, signal);
    if (info && (this.#versions.has(dataset) || this.#versions.size < MAX_VERSIONS)) this.#versions.set(dataset, info.version);
    return info;
  }

  async getTile(key: TileKey, signal?: AbortSignal): Promise<TileBody | null> {
    const version = this.#versions.get(key.dataset);
    if (!this.#edge.enabled || version === undefined) return this.#inner.getTile(key, signal);
    const entry = `${key.dataset}@${version}/${formatTileCoord(key)}`;
    const found = await this.#edge.lookup(key.dataset, entry);
    if (found.kind === 'hit') return found.object;
    if (found.kind === 'absent') return null;
    const body = await this.#inner.getTile(key, signal);
    this.#edge.put(key.dataset, entry, body);
    return body;
  }
}

/**
 * `GET /api/tiles/{dataset}/cache-stats` and `POST .../cache-clear`: what the
 * companion's caches and upstream did (for people and for tests), and a way
 * to drop one dataset's entries (guarded by ADMIN_TOKEN when set).
 */
import type { Hono } from 'hono';
import { assertDatasetName } from '../../shared/tile-key.ts';
import { requireAdmin, type AuthOptions } from '../auth.ts';
import type { ServerStats, DatasetCounters } from '../stats.ts';
import type { CacheReport, TileService } from '../tile-service.ts';
import type { UpstreamMetrics, UpstreamReport } from '../upstream/upstream-metrics.ts';
import type { EdgeCache, EdgeCacheReport } from '../workers/edge-cache.ts';

export interface CacheRouteOptions {
  service: TileService;
  stats: ServerStats;
  auth: AuthOptions;
}

export interface CacheStatsSection {
  counters: DatasetCounters;
  cache: CacheReport & { hits: number; misses: number; hitRate: number | null };
  /** Present when the source is an HTTP store (R2): GETs by outcome, latency, Class B cost. */
  upstream: UpstreamReport | null;
  /** Present on Cloudflare Workers: the `caches.default` tier in front of R2 (its hits cost no Class B operation). */
  edgeCache: EdgeCacheReport | null;
}

/**
 * `counters` and `overall` keep the skeleton's shape (the dataset's and all
 * datasets' counters); `cache` and `upstream` are this dataset's, and `all`
 * holds the same three sections across every dataset.
 */
export interface CacheStatsBody extends CacheStatsSection {
  dataset: string;
  source: string;
  overall: DatasetCounters;
  all: CacheStatsSection;
}

function section(counters: DatasetCounters, cache: CacheReport, upstream: UpstreamReport | null, edgeCache: EdgeCacheReport | null): CacheStatsSection {
  const lookups = counters.cacheHits + counters.cacheMisses;
  return {
    counters,
    cache: { ...cache, hits: counters.cacheHits, misses: counters.cacheMisses, hitRate: lookups ? counters.cacheHits / lookups : null },
    upstream,
    edgeCache,
  };
}

export function mountCacheRoutes(app: Hono, { service, stats, auth }: CacheRouteOptions): void {
  app.get('/api/tiles/:dataset/cache-stats', (c) => {
    const dataset = assertDatasetName(c.req.param('dataset'));
    const { metrics, edgeCache } = service.source as { metrics?: UpstreamMetrics; edgeCache?: EdgeCache };
    const all = section(stats.overall(), service.cacheReport(), metrics?.overall() ?? null, edgeCache?.overall() ?? null);
    const body: CacheStatsBody = {
      dataset,
      source: service.sourceKind,
      ...section(stats.dataset(dataset), service.cacheReport(dataset), metrics?.dataset(dataset) ?? null, edgeCache?.dataset(dataset) ?? null),
      overall: all.counters,
      all,
    };
    c.header('Cache-Control', 'no-store');
    return c.json(body);
  });

  app.post('/api/tiles/:dataset/cache-clear', (c) => {
    const dataset = assertDatasetName(c.req.param('dataset'));
    requireAdmin(c, auth);
    return c.json({ dataset, removed: service.clear(dataset) });
  });
}

/**
 * `GET /api/tiles/{dataset}/cache-stats` and `POST .../cache-clear`: what the
 * companion's caches and upstream did (for people and for tests), and a way
 * to drop one dataset's entries (guarded by ADMIN_TOKEN when set).
 */
import type { Context } from 'hono';
import { requireAdmin, type AuthOptions } from '../auth.ts';
import type { ServerStats, DatasetCounters } from '../stats.ts';
import type { CacheReport, TileService } from '../tile-service.ts';
import type { UpstreamMetrics, UpstreamReport } from '../upstream/upstream-metrics.ts';

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

function section(counters: DatasetCounters, cache: CacheReport, upstream: UpstreamReport | null): CacheStatsSection {
  const lookups = counters.cacheHits + counters.cacheMisses;
  return {
    counters,
    cache: { ...cache, hits: counters.cacheHits, misses: counters.cacheMisses, hitRate: lookups ? counters.cacheHits / lookups : null },
    upstream,
  };
}

export interface CacheRoutes {
  stats(c: Context, dataset: string): Response;
  clear(c: Context, dataset: string): Response;
}

export function cacheRoutes({ service, stats, auth }: CacheRouteOptions): CacheRoutes {
  return {
    stats(c, dataset) {
      const metrics = (service.source as { metrics?: UpstreamMetrics }).metrics;
      const all = section(stats.overall(), service.cacheReport(), metrics?.overall() ?? null);
      const body: CacheStatsBody = {
        dataset,
        source: service.sourceKind,
        ...section(stats.dataset(dataset), service.cacheReport(dataset), metrics?.dataset(dataset) ?? null),
        overall: all.counters,
        all,
      };
      c.header('Cache-Control', 'no-store');
      return c.json(body);
    },

    clear(c, dataset) {
      requireAdmin(c, auth);
      return c.json({ dataset, removed: service.clear(dataset) });
    },
  };
}

/**
 * `GET /api/tiles/{dataset}/cache-stats` and `POST .../cache-clear`: what the
 * companion's caches and upstream did (for people and for tests), and a way
 * to drop one dataset's entries (guarded by ADMIN_TOKEN when set).
 */
import type { Context } from 'hono';
import type { Admission, AdmissionReport } from '../admission.ts';
import { requireAdmin, type AuthOptions } from '../auth.ts';
import type { InfoReport } from '../stale-info.ts';
import type { ServerStats, DatasetCounters } from '../stats.ts';
import type { CacheReport, TileService } from '../tile-service.ts';
import type { UpstreamHealth } from '../upstream/http-upstream.ts';
import type { UpstreamMetrics, UpstreamReport } from '../upstream/upstream-metrics.ts';
import type { EdgeCache, EdgeCacheReport } from '../workers/edge-cache.ts';

export interface CacheRouteOptions {
  service: TileService;
  stats: ServerStats;
  auth: AuthOptions;
  admission: Admission;
}

/**
 * How the companion is coping: whether the store answers (`upstreamHealthy`,
 * false while the circuit breaker is open or probing), how old the dataset's
 * info is and whether it is served stale, what was served stale, the retry
 * budget, and the admission gauges.
 */
export interface ReliabilityReport {
  upstreamHealthy: boolean;
  info: InfoReport;
  /** This dataset's info lookups and cached tiles answered while its info was stale. */
  staleServed: { info: number; tiles: number };
  /** Present for HTTP stores (R2): the breaker and the retry/hedge budget. */
  upstream: UpstreamHealth | null;
  admission: AdmissionReport;
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
  reliability: ReliabilityReport;
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

export interface CacheRoutes {
  stats(c: Context, dataset: string): Response;
  clear(c: Context, dataset: string): Promise<Response>;
}

export function cacheRoutes({ service, stats, auth, admission }: CacheRouteOptions): CacheRoutes {
  return {
    stats(c, dataset) {
      const source = service.source as { metrics?: UpstreamMetrics; health?: () => UpstreamHealth; edgeCache?: EdgeCache };
      const { metrics, edgeCache } = source;
      const all = section(stats.overall(), service.cacheReport(), metrics?.overall() ?? null, edgeCache?.overall() ?? null);
      const counters = stats.dataset(dataset);
      const health = source.health?.() ?? null;
      const info = service.infoReport(dataset);
      const body: CacheStatsBody = {
        dataset,
        source: service.sourceKind,
        ...section(counters, service.cacheReport(dataset), metrics?.dataset(dataset) ?? null, edgeCache?.dataset(dataset) ?? null),
        overall: all.counters,
        all,
        reliability: {
          upstreamHealthy: (health?.healthy ?? true) && !info.stale,
          info,
          staleServed: { info: counters.staleInfoServed, tiles: counters.staleTilesServed },
          upstream: health,
          admission: admission.report(),
        },
      };
      c.header('Cache-Control', 'no-store');
      return c.json(body);
    },

    async clear(c, dataset) {
      await requireAdmin(c, auth);
      return c.json({ dataset, removed: service.clear(dataset) });
    },
  };
}

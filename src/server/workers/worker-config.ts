/**
 * The Worker's configuration from its vars and secrets, validated once.
 * The companion's own variables (AUTH_TOKEN, ADMIN_TOKEN, CORS_ORIGINS,
 * TILE_CACHE_MAX_BYTES) go through the same config.ts as under Node; the
 * Worker adds its edge-cache lifetimes and a memory bound that fits an
 * isolate (128 MB for everything: developers.cloudflare.com/workers/platform/limits/#memory).
 */
import { ConfigError, loadConfig } from '../config.ts';

const MiB = 1024 * 1024;

export const WORKER_DEFAULTS = {
  /** The isolate's tile cache: a quarter of its 128 MB, the rest is the runtime's and the batches'. */
  tileCacheMaxBytes: 32 * MiB,
  /** Above this the isolate would be evicted for memory before the cache filled. */
  tileCacheMaxBytesLimit: 64 * MiB,
  /** Edge entries are keyed by dataset version, so they may live long (EDGE_CACHE_TTL_SECONDS; 0 = off). */
  edgeCacheTtlSeconds: 86_400,
  /** "No such object" at the edge (EDGE_ABSENT_TTL_SECONDS). */
  edgeAbsentTtlSeconds: 3_600,
} as const;

export interface WorkerConfig {
  tileCacheMaxBytes: number;
  authToken: string | undefined;
  adminToken: string | undefined;
  corsOrigins: string[];
  edgeCacheTtlSeconds: number;
  edgeAbsentTtlSeconds: number;
  /** One JSON line per request to the Worker's logs (LOG_REQUESTS=false turns it off). */
  logRequests: boolean;
}

export const WORKER_VARS = ['AUTH_TOKEN', 'ADMIN_TOKEN', 'CORS_ORIGINS', 'TILE_CACHE_MAX_BYTES', 'EDGE_CACHE_TTL_SECONDS', 'EDGE_ABSENT_TTL_SECONDS', 'LOG_REQUESTS'] as const;
export type WorkerVars = Partial<Record<(typeof WORKER_VARS)[number], string>>;

function seconds(vars: WorkerVars, name: 'EDGE_CACHE_TTL_SECONDS' | 'EDGE_ABSENT_TTL_SECONDS', fallback: number): number {
  const raw = vars[name]?.trim();
  if (!raw) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) > 31_536_000) {
    throw new ConfigError(`${name}="${raw}" is invalid: expected whole seconds from 0 to 31536000 (0 turns the edge cache off).`);
  }
  return Number(raw);
}

function flag(vars: WorkerVars, name: 'LOG_REQUESTS', fallback: boolean): boolean {
  const raw = vars[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(`${name}="${vars[name]}" is invalid: expected true or false.`);
}

/** Throws ConfigError (one line naming the variable) on a bad value. */
export function loadWorkerConfig(vars: WorkerVars): WorkerConfig {
  const companion = loadConfig({
    AUTH_TOKEN: vars.AUTH_TOKEN,
    ADMIN_TOKEN: vars.ADMIN_TOKEN,
    CORS_ORIGINS: vars.CORS_ORIGINS,
    TILE_CACHE_MAX_BYTES: vars.TILE_CACHE_MAX_BYTES?.trim() || String(WORKER_DEFAULTS.tileCacheMaxBytes),
  });
  if (companion.tileCacheMaxBytes > WORKER_DEFAULTS.tileCacheMaxBytesLimit) {
    throw new ConfigError(
      `TILE_CACHE_MAX_BYTES="${companion.tileCacheMaxBytes}" is too large for a Worker: an isolate has 128 MB in all; use at most ${WORKER_DEFAULTS.tileCacheMaxBytesLimit}.`,
    );
  }
  return {
    tileCacheMaxBytes: companion.tileCacheMaxBytes,
    authToken: companion.authToken,
    adminToken: companion.adminToken,
    corsOrigins: companion.corsOrigins,
    edgeCacheTtlSeconds: seconds(vars, 'EDGE_CACHE_TTL_SECONDS', WORKER_DEFAULTS.edgeCacheTtlSeconds),
    edgeAbsentTtlSeconds: seconds(vars, 'EDGE_ABSENT_TTL_SECONDS', WORKER_DEFAULTS.edgeAbsentTtlSeconds),
    logRequests: flag(vars, 'LOG_REQUESTS', true),
  };
}

/**
 * Every tunable number of the companion, with its default, in one place.
 * config.ts reads the environment's overrides; createApp and the upstream
 * fall back to these when an option is not given.
 */
const MiB = 1024 * 1024;

export const DEFAULTS = {
  port: 8787,
  host: '127.0.0.1',
  tilesDir: 'data/tiles',
  /** Server tile cache, shared by all datasets (TILE_CACHE_MAX_BYTES). */
  tileCacheMaxBytes: 256 * MiB,
  /** Sockets per upstream origin (UPSTREAM_CONNECTIONS): a whole batch in flight at once. */
  upstreamConnections: 100,
  /** One upstream GET, headers and body (UPSTREAM_TIMEOUT_MS). */
  upstreamTimeoutMs: 5_000,
  upstreamKeepAliveMs: 30_000,
  /** Retries after the first attempt, on 5xx and timeouts, with full-jitter backoff. */
  upstreamRetries: 2,
  retryBaseDelayMs: 50,
  retryMaxDelayMs: 1_000,
  /** Hedged GETs running at once; 0 disables hedging. */
  maxHedgesInFlight: 10,
  hedgeMinSamples: 20,
  hedgeMinDelayMs: 50,
  /** A tile larger than this is refused as an upstream error. */
  maxTileBytes: 8 * MiB,
  /** Browser cache lifetime of a tile (Cache-Control max-age). */
  tileMaxAgeSeconds: 3600,
  /** How long info.json is trusted before it is read again (new versions show up this fast). */
  infoTtlMs: 5_000,
  /** How long "no format of this tile exists" is remembered. */
  negativeTtlMs: 30_000,
  negativeMaxEntries: 100_000,
  formatMemoryMaxEntries: 10_000,
  /** Batch limits: tiles per batch, POST body bytes, GET URL length. */
  maxBatchTiles: 100,
  maxBatchBodyBytes: 16 * 1024,
  maxUrlLength: 8 * 1024,
} as const;

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
  /** A 429/503 whose Retry-After asks for longer than this is not retried (ms). */
  maxRetryAfterMs: 2_000,
  /**
   * Retries and hedges across all requests, as a token bucket: at most this
   * burst, then this many a second. A failing store never sees more extra GETs.
   */
  retryBudgetCapacity: 20,
  retryBudgetRefillPerSecond: 5,
  /** Upstream failures in a row that open the circuit breaker (0 disables it)… */
  breakerFailureThreshold: 10,
  /** …and how long it then serves cache only before one probe GET (ms). */
  breakerCooldownMs: 5_000,
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
  /**
   * How long the last good info.json keeps being served while the store fails
   * (503, stall, reset, breaker open): stale-if-error, 24 h. Cached tiles are
   * keyed by its version, so they stay servable just as long.
   */
  infoStaleIfErrorMs: 24 * 60 * 60 * 1000,
  /** How long "no format of this tile exists" is remembered. */
  negativeTtlMs: 30_000,
  negativeMaxEntries: 100_000,
  formatMemoryMaxEntries: 10_000,
  /** Batch limits: tiles per batch, POST body bytes, GET URL length. */
  maxBatchTiles: 100,
  maxBatchBodyBytes: 16 * 1024,
  maxUrlLength: 8 * 1024,
  /** API requests being handled at once (streams excluded); past it: 503 OVERLOADED with Retry-After. */
  maxConcurrentRequests: 128,
  /** Batch answers streaming at once; past it: 503 OVERLOADED. Each holds at most one encoded frame. */
  maxOpenBatchStreams: 32,
  /** Tile reads from the store at once (all formats of one tile count once); past it: 503 OVERLOADED. */
  maxUpstreamReads: 256,
  /**
   * Event-loop lag past which new API requests get 503 OVERLOADED at once (ms,
   * Node only): each queued connection costs a loop turn before the next is
   * accepted, so a lagging loop would leave new clients unanswered (loop-lag.ts).
   */
  maxLoopLagMs: 100,
  /** Seconds a client is asked to wait after a 503 (Retry-After). */
  overloadRetryAfterSeconds: 1,
  /** Node server: request headers must arrive within (ms)… */
  headersTimeoutMs: 10_000,
  /** …the whole request (headers and body) within (ms); a slow-body client is cut off here… */
  requestTimeoutMs: 15_000,
  /** …an idle keep-alive socket is closed after (ms)… */
  keepAliveTimeoutMs: 5_000,
  /** …and a socket with no traffic either way (a client that stopped reading) is closed after (ms). */
  socketIdleTimeoutMs: 30_000,
} as const;

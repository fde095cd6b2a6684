/**
 * The companion's web-standard app. `createApp` wires a tile source into the
 * routes; it uses only `fetch`-era APIs, so the same app runs under Node
 * (main.ts) or on an engine like Cloudflare Workers. Every failure becomes
 * `{ "error": { "code", "message" } }` with the code's HTTP status.
 */
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { TileError } from '../shared/errors.ts';
import { Admission } from './admission.ts';
import { requireTileToken } from './auth.ts';
import { DEFAULTS } from './defaults.ts';
import { requestLog, type RequestLog } from './request-log.ts';
import type { ObjectSource } from './object-source.ts';
import { mountTileApi } from './routes/tile-api.ts';
import { ServerStats } from './stats.ts';
import { TileService } from './tile-service.ts';
import type { DescriptorKind } from '../shared/layouts/index.ts';

export interface AppOptions {
  /** Where objects come from; any pyramid layout is found above it. */
  source: ObjectSource;
  /** Descriptor kind per dataset name (DATASET_LAYOUTS), so only that descriptor is probed. */
  layouts?: ReadonlyMap<string, DescriptorKind>;
  /** Seconds a browser may reuse a tile without revalidating. */
  tileMaxAgeSeconds?: number;
  /** How long dataset info is trusted before re-reading. */
  infoTtlMs?: number;
  /** Byte bound of the server tile cache (all datasets together). */
  cacheMaxBytes?: number;
  /** How long "this tile exists in no format" is remembered. */
  negativeTtlMs?: number;
  /** With a token set, every tile endpoint needs it (Bearer or cookie). */
  authToken?: string | undefined;
  /** Needed for cache-clear when set (and accepted wherever authToken is). */
  adminToken?: string | undefined;
  /** Origins allowed to call the API cross-origin; empty for same-origin only. */
  corsOrigins?: readonly string[];
  /** One line per request; omitted, nothing is logged (quiet tests). */
  log?: RequestLog;
  /** Longer URLs are refused (413) before anything is parsed. */
  maxUrlLength?: number;
  maxBatchBodyBytes?: number;
  /** How long the last good info.json is served while the store fails (stale-if-error). */
  infoStaleIfErrorMs?: number;
  /** Requests handled at once, batch answers streaming at once, tiles read from the store at once. */
  maxConcurrentRequests?: number;
  maxOpenBatchStreams?: number;
  maxUpstreamReads?: number;
  /**
   * The event loop's current lag in ms (the Node adapter passes loop-lag.ts)
   * and whether a request opened its connection: past `maxLoopLagMs`, the
   * first request of a new connection gets 503 OVERLOADED at once.
   */
  loopLagMs?: () => number;
  firstOnConnection?: (request: Request) => boolean;
  maxLoopLagMs?: number;
}

export interface CompanionApp {
  app: Hono;
  stats: ServerStats;
  service: TileService;
  admission: Admission;
}

export function createApp(options: AppOptions): CompanionApp {
  const app = new Hono();
  const stats = new ServerStats();
  const service = new TileService(options.source, {
    stats,
    infoTtlMs: options.infoTtlMs ?? DEFAULTS.infoTtlMs,
    cacheMaxBytes: options.cacheMaxBytes ?? DEFAULTS.tileCacheMaxBytes,
    negativeTtlMs: options.negativeTtlMs ?? DEFAULTS.negativeTtlMs,
    ...(options.layouts ? { layouts: options.layouts } : {}),
    infoStaleIfErrorMs: options.infoStaleIfErrorMs ?? DEFAULTS.infoStaleIfErrorMs,
    maxUpstreamReads: options.maxUpstreamReads ?? DEFAULTS.maxUpstreamReads,
  });
  const admission = new Admission({
    maxRequests: options.maxConcurrentRequests ?? DEFAULTS.maxConcurrentRequests,
    maxStreams: options.maxOpenBatchStreams ?? DEFAULTS.maxOpenBatchStreams,
    ...(options.loopLagMs ? { loopLagMs: options.loopLagMs } : {}),
    ...(options.firstOnConnection ? { firstOnConnection: options.firstOnConnection } : {}),
    maxLoopLagMs: options.maxLoopLagMs ?? DEFAULTS.maxLoopLagMs,
  });
  const auth = { authToken: options.authToken, adminToken: options.adminToken };
  const maxUrlLength = options.maxUrlLength ?? DEFAULTS.maxUrlLength;

  app.onError((error, c) => {
    const tileError =
      error instanceof TileError ? error : new TileError('INTERNAL', 'The companion failed unexpectedly; see its log.', { cause: error });
    if (tileError.code === 'INTERNAL') console.error(error);
    if (tileError.code === 'OVERLOADED') c.header('Retry-After', String(DEFAULTS.overloadRetryAfterSeconds));
    if (tileError.code === 'UPSTREAM_UNAVAILABLE') c.header('Retry-After', String(Math.ceil(DEFAULTS.breakerCooldownMs / 1000)));
    return c.json(tileError.toJSON(), tileError.status);
  });

  if (options.log) app.use('*', requestLog(options.log));
  if (options.corsOrigins?.length) {
    app.use(
      '/api/*',
      cors({
        origin: [...options.corsOrigins],
        allowHeaders: ['Authorization', 'Content-Type', 'If-None-Match'],
        exposeHeaders: ['ETag', 'X-Tile-Format', 'Server-Timing'],
        maxAge: 600,
      }),
    );
  }
  app.use('/api/*', async (c, next) => {
    if (c.req.url.length > maxUrlLength) {
      throw new TileError('PAYLOAD_TOO_LARGE', `Request URL is over ${maxUrlLength} bytes: POST long tile lists to /api/tiles/{dataset}/batch as JSON.`);
    }
    await next();
  });
  // Stats stay readable when the companion is saturated: that is when they are needed.
  app.use('/api/*', admission.middleware((path) => path.endsWith('/cache-stats')));
  app.use('/api/tiles/*', requireTileToken(auth));

  mountTileApi(app, {
    service,
    stats,
    auth,
    admission,
    tileMaxAgeSeconds: options.tileMaxAgeSeconds ?? DEFAULTS.tileMaxAgeSeconds,
    // Tiles behind a token may be kept by the browser, never by a shared cache.
    privateTiles: Boolean(options.authToken),
    maxBatchBodyBytes: options.maxBatchBodyBytes ?? DEFAULTS.maxBatchBodyBytes,
  });
  app.all('/api/*', (c) => {
    throw new TileError('NOT_FOUND', `No API endpoint at ${c.req.method} ${new URL(c.req.url).pathname}.`);
  });
  return { app, stats, service, admission };
}

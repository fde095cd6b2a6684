/**
 * The companion's web-standard app. `createApp` wires a tile source into the
 * routes; it uses only `fetch`-era APIs, so the same app runs under Node
 * (main.ts) or on an engine like Cloudflare Workers. Every failure becomes
 * `{ "error": { "code", "message" } }` with the code's HTTP status.
 */
import { Hono } from 'hono';
import { TileError } from '../shared/errors.ts';
import { mountBatchRoute } from './routes/batch-route.ts';
import { mountTileRoutes } from './routes/tile-routes.ts';
import { ServerStats } from './stats.ts';
import { TileService } from './tile-service.ts';
import type { TileSource } from './tile-source.ts';

export interface AppOptions {
  source: TileSource;
  /** Seconds a browser may reuse a tile without revalidating (default 3600). */
  tileMaxAgeSeconds?: number;
  /** How long dataset info is trusted before re-reading (default 5000 ms). */
  infoTtlMs?: number;
}

export interface CompanionApp {
  app: Hono;
  stats: ServerStats;
  service: TileService;
}

export function createApp(options: AppOptions): CompanionApp {
  const app = new Hono();
  const stats = new ServerStats();
  const service = new TileService(options.source, { infoTtlMs: options.infoTtlMs ?? 5_000 });

  app.onError((error, c) => {
    const tileError =
      error instanceof TileError ? error : new TileError('INTERNAL', 'The companion failed unexpectedly; see its log.', { cause: error });
    if (tileError.code === 'INTERNAL') console.error(error);
    return c.json(tileError.toJSON(), tileError.status);
  });

  mountTileRoutes(app, { service, stats, tileMaxAgeSeconds: options.tileMaxAgeSeconds ?? 3600 });
  mountBatchRoute(app, { service, stats });
  app.all('/api/*', (c) => {
    throw new TileError('NOT_FOUND', `No API endpoint at ${c.req.method} ${new URL(c.req.url).pathname}.`);
  });
  return { app, stats, service };
}

/**
 * `/api/tiles/*`: one route for the whole tile API, since a dataset name may
 * hold slashes (`collections/case-1`) and Hono parameters cannot. The path is
 * split by shared/dataset-path.ts (known suffixes, traversal refused) and
 * handed to the endpoint's handler:
 *
 *   GET  {dataset}/info             tile-routes.ts
 *   GET  {dataset}/{z}/{x}/{y}.ext  tile-routes.ts
 *   GET|POST {dataset}/batch        batch-route.ts
 *   GET  {dataset}/cache-stats      cache-routes.ts
 *   POST {dataset}/cache-clear      cache-routes.ts
 */
import type { Context, Hono } from 'hono';
import { parseTileApiPath } from '../../shared/dataset-path.ts';
import { TileError } from '../../shared/errors.ts';
import type { ServerStats } from '../stats.ts';
import type { TileService } from '../tile-service.ts';
import type { Admission } from '../admission.ts';
import type { AuthOptions } from '../auth.ts';
import { batchBodyLimit, batchRoute } from './batch-route.ts';
import { cacheRoutes } from './cache-routes.ts';
import { tileRoutes } from './tile-routes.ts';

export interface TileApiOptions {
  service: TileService;
  stats: ServerStats;
  auth: AuthOptions;
  admission: Admission;
  tileMaxAgeSeconds: number;
  /** Tiles need a token: `private` with `Vary`, never kept by a shared cache. */
  privateTiles: boolean;
  maxBatchBodyBytes: number;
}

const PREFIX = '/api/tiles/';

export function mountTileApi(app: Hono, options: TileApiOptions): void {
  const tiles = tileRoutes(options);
  const cache = cacheRoutes(options);
  const batch = batchRoute(options);
  const noEndpoint = (c: Context) => new TileError('NOT_FOUND', `No API endpoint at ${c.req.method} ${new URL(c.req.url).pathname}.`);

  app.post(`${PREFIX}*`, batchBodyLimit(options.maxBatchBodyBytes));
  app.on(['GET', 'POST'], `${PREFIX}*`, async (c) => {
    const target = parseTileApiPath(new URL(c.req.url).pathname.slice(PREFIX.length));
    const get = c.req.method === 'GET' || c.req.method === 'HEAD'; // Hono answers HEAD through the GET route
    switch (target.endpoint) {
      case 'info':
        if (get) return tiles.info(c, target.dataset);
        break;
      case 'tile':
        if (get) return tiles.tile(c, target.dataset, target.tile);
        break;
      case 'batch':
        return batch(c, target.dataset);
      case 'cache-stats':
        if (get) return cache.stats(c, target.dataset);
        break;
      case 'cache-clear':
        if (!get) return cache.clear(c, target.dataset);
        break;
    }
    throw noEndpoint(c);
  });
}

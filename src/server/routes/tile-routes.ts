/** Single tiles and dataset info: the plain GET endpoints of the tile API (dispatched by tile-api.ts). */
import type { Context } from 'hono';
import type { TileCoord } from '../../shared/tile-key.ts';
import { noteTiles } from '../request-log.ts';
import type { ServedTile, TileService } from '../tile-service.ts';
import type { ServerStats } from '../stats.ts';

export interface TileRouteOptions {
  service: TileService;
  stats: ServerStats;
  /** Seconds a browser may reuse a tile without asking again. */
  tileMaxAgeSeconds: number;
  /** Tiles need a token (AUTH_TOKEN set): only the browser may cache them, never a shared cache. */
  privateTiles?: boolean;
}

export function tileHeaders(tile: ServedTile, maxAgeSeconds: number, privateTiles = false): Record<string, string> {
  const headers: Record<string, string> = {
    'Content-Type': tile.contentType,
    ETag: tile.etag,
    'Cache-Control': `${privateTiles ? 'private' : 'public'}, max-age=${maxAgeSeconds}`,
    'X-Tile-Format': tile.format,
  };
  if (privateTiles) headers.Vary = 'Authorization, Cookie';
  return headers;
}

/** Whether `If-None-Match` names this ETag (weak comparison, as RFC 9110 asks for GET). */
export function matchesEtag(c: Context, etag: string): boolean {
  const header = c.req.header('If-None-Match');
  if (!header) return false;
  if (header.trim() === '*') return true;
  const bare = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => bare(tag) === bare(etag));
}

export interface TileRoutes {
  info(c: Context, dataset: string): Promise<Response>;
  tile(c: Context, dataset: string, coord: TileCoord): Promise<Response>;
}

export function tileRoutes({ service, stats, tileMaxAgeSeconds, privateTiles = false }: TileRouteOptions): TileRoutes {
  return {
    async info(c, dataset) {
      stats.count(dataset, 'infoRequests');
      const info = await service.info(dataset);
      const etag = `"${info.version}"`;
      // no-cache: always revalidate, so a new version reaches viewers at once.
      c.header('ETag', etag);
      c.header('Cache-Control', privateTiles ? 'private, no-cache' : 'no-cache');
      if (privateTiles) c.header('Vary', 'Authorization, Cookie');
      if (matchesEtag(c, etag)) return c.body(null, 304);
      return c.json(info);
    },

    async tile(c, dataset, coord) {
      const key = { dataset, ...coord };
      stats.count(dataset, 'tileRequests');
      noteTiles(c, 1);
      const started = performance.now();
      const tile = await service.tile(key);
      const headers = tileHeaders(tile, tileMaxAgeSeconds, privateTiles);
      headers['Server-Timing'] = `companion;dur=${(performance.now() - started).toFixed(1)}`;
      if (matchesEtag(c, tile.etag)) {
        stats.count(dataset, 'notModified');
        return c.body(null, 304, headers);
      }
      return c.body(tile.bytes, 200, headers);
    },
  };
}

/**
 * `GET|POST /api/tiles/{dataset}/batch`: up to 100 tiles in one request,
 * fetched in parallel. JSON (base64, the original contract) by default; the
 * binary stream of `shared/batch-protocol.ts` when the client accepts it, in
 * which each tile is written the moment it is read.
 */
import type { Context, Hono } from 'hono';
import { toBase64 } from '../../shared/base64.ts';
import {
  BATCH_CONTENT_TYPE,
  BATCH_MAGIC,
  MAX_BATCH_TILES,
  encodeEnd,
  encodeFrame,
  type BatchFrame,
} from '../../shared/batch-protocol.ts';
import { TileError } from '../../shared/errors.ts';
import { assertDatasetName, formatTileCoord, parseTileCoord, type TileKey } from '../../shared/tile-key.ts';
import type { ServerStats } from '../stats.ts';
import type { ServedTile, TileService } from '../tile-service.ts';

/** Request bodies larger than this are refused before they are parsed. */
const MAX_BODY_BYTES = 16 * 1024;

export interface BatchRouteOptions {
  service: TileService;
  stats: ServerStats;
}

async function requestedTiles(c: Context): Promise<string[]> {
  if (c.req.method === 'GET') return c.req.queries('tiles') ?? [];
  const length = Number(c.req.header('Content-Length') ?? 0);
  if (length > MAX_BODY_BYTES) throw new TileError('PAYLOAD_TOO_LARGE', `Batch body is over ${MAX_BODY_BYTES} bytes: ask for at most ${MAX_BATCH_TILES} tiles.`);
  const text = await c.req.text();
  if (text.length > MAX_BODY_BYTES) throw new TileError('PAYLOAD_TOO_LARGE', `Batch body is over ${MAX_BODY_BYTES} bytes: ask for at most ${MAX_BATCH_TILES} tiles.`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new TileError('BAD_REQUEST', 'Batch body is not JSON: send {"tiles": ["z/x/y.jpg", ...]}.');
  }
  const tiles = (body as { tiles?: unknown } | null)?.tiles;
  if (!Array.isArray(tiles) || !tiles.every((t) => typeof t === 'string')) {
    throw new TileError('BAD_REQUEST', 'Batch body needs "tiles": an array of "z/x/y.ext" strings.');
  }
  return tiles as string[];
}

/** Parses, dedupes and bounds the tile list; every problem is the client's, so 400. */
export function parseBatch(dataset: string, raw: string[]): TileKey[] {
  const unique = [...new Set(raw)];
  if (unique.length === 0) throw new TileError('BAD_REQUEST', 'Batch names no tiles: add tiles=z/x/y.jpg (repeatable).');
  if (unique.length > MAX_BATCH_TILES) {
    throw new TileError('TOO_MANY_TILES', `Batch asks for ${unique.length} tiles; the limit is ${MAX_BATCH_TILES}. Split it.`);
  }
  return unique.map((coord) => ({ dataset, ...parseTileCoord(coord) }));
}

function frameFor(key: TileKey, outcome: PromiseSettledResult<ServedTile>): BatchFrame {
  const name = formatTileCoord(key);
  if (outcome.status === 'fulfilled') {
    const tile = outcome.value;
    return { key: name, status: 200, contentType: tile.contentType, etag: tile.etag, body: tile.bytes };
  }
  const error = outcome.reason instanceof TileError ? outcome.reason : new TileError('INTERNAL', 'Reading the tile failed.');
  const body = new TextEncoder().encode(JSON.stringify(error.toJSON()));
  return { key: name, status: error.status, contentType: 'application/json', etag: '', body };
}

export function mountBatchRoute(app: Hono, { service, stats }: BatchRouteOptions): void {
  const handler = async (c: Context) => {
    const dataset = assertDatasetName(c.req.param('dataset') ?? '');
    const keys = parseBatch(dataset, await requestedTiles(c));
    stats.count(dataset, 'batchRequests');
    stats.count(dataset, 'batchTiles', keys.length);
    await service.info(dataset, c.req.raw.signal); // a missing dataset fails the whole batch: 404
    const signal = c.req.raw.signal;

    if ((c.req.header('Accept') ?? '').includes(BATCH_CONTENT_TYPE)) {
      const stream = new ReadableStream<Uint8Array>({
        async start(controller) {
          controller.enqueue(BATCH_MAGIC);
          await Promise.all(
            keys.map(async (key) => {
              const [outcome] = await Promise.allSettled([service.tile(key, signal)]);
              if (!signal.aborted) controller.enqueue(encodeFrame(frameFor(key, outcome!)));
            }),
          );
          if (!signal.aborted) {
            controller.enqueue(encodeEnd());
            controller.close();
          }
        },
      });
      return c.body(stream, 200, { 'Content-Type': BATCH_CONTENT_TYPE, 'Cache-Control': 'no-store' });
    }

    const outcomes = await Promise.allSettled(keys.map((key) => service.tile(key, signal)));
    const tiles: Record<string, string | null> = {};
    keys.forEach((key, i) => {
      const outcome = outcomes[i]!;
      tiles[formatTileCoord(key)] = outcome.status === 'fulfilled' ? toBase64(outcome.value.bytes) : null;
    });
    return c.json({ tiles }, 200, { 'Cache-Control': 'no-store' });
  };
  app.get('/api/tiles/:dataset/batch', handler);
  app.post('/api/tiles/:dataset/batch', handler);
}

/**
 * `GET|POST /api/tiles/{dataset}/batch`: up to 100 tiles in one request,
 * fetched in parallel through the same tile service as single tiles (so they
 * share the cache and in-flight reads). JSON (base64, the original contract)
 * by default; the binary stream of `shared/batch-protocol.ts` when the client
 * accepts it, in which each tile is written the moment its read completes.
 * One tile's failure is that tile's status (or null), never the batch's.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
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
import { formatTileCoord, parseTileCoord, type TileKey } from '../../shared/tile-key.ts';
import { DEFAULTS } from '../defaults.ts';
import { noteTiles } from '../request-log.ts';
import type { ServerStats } from '../stats.ts';
import type { ServedTile, TileService } from '../tile-service.ts';

export interface BatchRouteOptions {
  service: TileService;
  stats: ServerStats;
  /** POST bodies larger than this are refused (413) before they are parsed. */
  maxBodyBytes?: number;
}

const tooLarge = (max: number) =>
  new TileError('PAYLOAD_TOO_LARGE', `Batch body is over ${max} bytes: ask for at most ${MAX_BATCH_TILES} tiles.`);

async function requestedTiles(c: Context): Promise<string[]> {
  if (c.req.method === 'GET') return c.req.queries('tiles') ?? [];
  const text = await c.req.text();
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

function asTileError(reason: unknown): TileError {
  return reason instanceof TileError ? reason : new TileError('INTERNAL', 'Reading the tile failed.', { cause: reason });
}

function frameFor(key: TileKey, outcome: PromiseSettledResult<ServedTile>): BatchFrame {
  const name = formatTileCoord(key);
  if (outcome.status === 'fulfilled') {
    const tile = outcome.value;
    return { key: name, status: 200, contentType: tile.contentType, etag: tile.etag, body: tile.bytes };
  }
  const error = asTileError(outcome.reason);
  if (error.code === 'INTERNAL') console.error(outcome.reason);
  const body = new TextEncoder().encode(JSON.stringify(error.toJSON()));
  return { key: name, status: error.status, contentType: 'application/json', etag: '', body };
}

/** Frames in completion order; stops writing (but lets shared reads finish) once the client is gone. */
function binaryBatch(service: TileService, keys: TileKey[]): ReadableStream<Uint8Array> {
  let cancelled = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(BATCH_MAGIC);
      const write = (bytes: Uint8Array) => {
        if (!cancelled) controller.enqueue(bytes);
      };
      const all = keys.map(async (key) => {
        const [outcome] = await Promise.allSettled([service.tile(key)]);
        write(encodeFrame(frameFor(key, outcome!)));
      });
      // Not awaited in start(): the response must begin streaming before the last tile lands.
      Promise.all(all)
        .then(() => {
          write(encodeEnd());
          if (!cancelled) controller.close();
        })
        .catch((error: unknown) => {
          if (!cancelled) controller.error(error);
        });
    },
    cancel() {
      cancelled = true;
    },
  });
}

/** Refuses batch bodies over `maxBodyBytes` (413) before they are read. */
export function batchBodyLimit(maxBodyBytes: number = DEFAULTS.maxBatchBodyBytes): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBodyBytes,
    onError: () => {
      throw tooLarge(maxBodyBytes);
    },
  });
}

export function batchRoute({ service, stats }: BatchRouteOptions): (c: Context, dataset: string) => Promise<Response> {
  return async (c, dataset) => {
    const keys = parseBatch(dataset, await requestedTiles(c));
    stats.count(dataset, 'batchRequests');
    stats.count(dataset, 'batchTiles', keys.length);
    noteTiles(c, keys.length);
    await service.info(dataset); // a missing dataset fails the whole batch: 404

    if ((c.req.header('Accept') ?? '').includes(BATCH_CONTENT_TYPE)) {
      return c.body(binaryBatch(service, keys), 200, { 'Content-Type': BATCH_CONTENT_TYPE, 'Cache-Control': 'no-store' });
    }

    const outcomes = await Promise.allSettled(keys.map((key) => service.tile(key)));
    const tiles: Record<string, string | null> = {};
    keys.forEach((key, i) => {
      const outcome = outcomes[i]!;
      tiles[formatTileCoord(key)] = outcome.status === 'fulfilled' ? toBase64(outcome.value.bytes) : null;
    });
    return c.json({ tiles }, 200, { 'Cache-Control': 'no-store' });
  };
}

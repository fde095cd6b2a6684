/**
 * `GET|POST /api/tiles/{dataset}/batch`: up to 100 tiles in one request,
 * fetched in parallel through the same tile service as single tiles (so they
 * share the cache and in-flight reads). JSON (base64, the original contract)
 * by default; the binary stream of `shared/batch-protocol.ts` when the client
 * accepts it, in which each tile is written the moment its read completes.
 * One tile's failure is that tile's status (or null), never the batch's,
 * and that includes a tile whose frame cannot be encoded (metadata too long
 * for the format): it gets an error frame, the rest and the end still follow.
 * Both answers are pull-based streams (batch-stream.ts): a client that does
 * not read holds at most one encoded tile, and a bounded number of streams
 * may be open at once (admission.ts).
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
import type { Admission } from '../admission.ts';
import { DEFAULTS } from '../defaults.ts';
import { noteTiles } from '../request-log.ts';
import type { ServerStats } from '../stats.ts';
import type { ServedTile, TileService } from '../tile-service.ts';
import { batchStream } from './batch-stream.ts';

export interface BatchRouteOptions {
  service: TileService;
  stats: ServerStats;
  /** POST bodies larger than this are refused (413) before they are parsed. */
  maxBodyBytes?: number;
  /** Bounds the batch answers streaming at once. */
  admission: Admission;
}

const tooLarge = (max: number) =>
  new TileError('PAYLOAD_TOO_LARGE', `Batch body is over ${max} bytes: ask for at most ${MAX_BATCH_TILES} tiles.`);

async function requestedTiles(c: Context): Promise<string[]> {
  if (c.req.method === 'GET') return c.req.queries('tiles') ?? [];
  let text: string;
  try {
    text = await c.req.text();
  } catch (error) {
    if (error instanceof TileError) throw error; // the body limit's 413
    // The client went away or was cut off (request timeout) mid-body: its problem, not an internal error.
    throw new TileError('BAD_REQUEST', 'The batch body did not arrive completely: send it at once.', { cause: error });
  }
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
  return errorFrame(name, asTileError(outcome.reason), outcome.reason);
}

function errorFrame(name: string, error: TileError, cause: unknown): BatchFrame {
  if (error.code === 'INTERNAL') console.error(cause);
  const body = new TextEncoder().encode(JSON.stringify(error.toJSON()));
  return { key: name, status: error.status, contentType: 'application/json', etag: '', body };
}

/** The frame of a tile whose own frame could not be encoded; it never throws for a parsed key. */
function unencodableFrame(key: TileKey, error: unknown): Uint8Array {
  const reason = error instanceof Error ? error.message : String(error);
  const problem = new TileError('UPSTREAM_ERROR', `Tile ${formatTileCoord(key)} cannot be sent in a batch frame (${reason}); ask for it alone.`);
  console.warn(JSON.stringify({ batchFrameError: { tile: `${key.dataset}/${formatTileCoord(key)}`, reason } }));
  return encodeFrame(errorFrame(formatTileCoord(key), problem, error));
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

const utf8 = new TextEncoder();

export function batchRoute({ service, stats, admission }: BatchRouteOptions): (c: Context, dataset: string) => Promise<Response> {
  return async (c, dataset) => {
    const keys = parseBatch(dataset, await requestedTiles(c));
    stats.count(dataset, 'batchRequests');
    stats.count(dataset, 'batchTiles', keys.length);
    noteTiles(c, keys.length);
    await service.info(dataset); // a missing dataset fails the whole batch: 404

    const onClose = admission.openStream();
    if ((c.req.header('Accept') ?? '').includes(BATCH_CONTENT_TYPE)) {
      const stream = batchStream(service, keys, {
        head: BATCH_MAGIC,
        encode: (key, outcome) => encodeFrame(frameFor(key, outcome)),
        onEncodeError: unencodableFrame,
        tail: encodeEnd(),
        onClose,
      });
      return c.body(stream, 200, { 'Content-Type': BATCH_CONTENT_TYPE, 'Cache-Control': 'no-store' });
    }
    // {"tiles": {"z/x/y.ext": base64 | null, ...}}, written tile by tile as the client reads.
    const stream = batchStream(service, keys, {
      head: utf8.encode('{"tiles":{'),
      encode: (key, outcome, index) => {
        const value = outcome.status === 'fulfilled' ? `"${toBase64(outcome.value.bytes)}"` : 'null';
        return utf8.encode(`${index > 0 ? ',' : ''}${JSON.stringify(formatTileCoord(key))}:${value}`);
      },
      onEncodeError: (key, _error, index) => utf8.encode(`${index > 0 ? ',' : ''}${JSON.stringify(formatTileCoord(key))}:null`),
      tail: utf8.encode('}}'),
      onClose,
    });
    return c.body(stream, 200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  };
}

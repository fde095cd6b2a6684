/**
 * The worker's answer to a page batch: `POST {apiPrefix}{dataset}/batch` with
 * `X-Tile-Batch: page` and body `{"tiles": ["z/x/y.ext", ...]}` (sent by
 * src/client/page-batch-request.ts), answered in the companion's binary
 * stream format (shared/batch-protocol.ts), so the page cannot tell the two apart.
 *
 * Each tile gets the identity the per-tile route gives
 * `{apiPrefix}{dataset}/{z}/{x}/{y}.{ext}` (same key in the tiers). Hits in
 * memory are written as frames at once, those in IndexedDB once it answered,
 * every body read in parallel (docs/worker.md); misses go through the
 * worker's batch client at visible priority (so they join the queue, dedupe
 * with per-tile and prefetch requests, leave as one upstream batch and are
 * stored by its hooks), each frame written the moment it arrives; then the
 * end frame. A tile that fails gets an error frame (502 JSON body), and the
 * page retries it per tile. A request the worker cannot answer (malformed
 * body, dataset version unknown, misses while batching backs off) goes to
 * the network unchanged.
 */
import { BATCH_CONTENT_TYPE, BATCH_MAGIC, MAX_BATCH_TILES, PAGE_BATCH_HEADER, encodeEnd, encodeFrame, encodeFrameHead, type BatchFrame } from '../shared/batch-protocol.ts';
import { TileError } from '../shared/errors.ts';
import { type Accelerator } from './accelerator.ts';
import type { BatchAnswer } from './batch-client.ts';
import type { TileIdentity } from './tile-identity.ts';
import type { StoredTile } from './stored-tile.ts';
import type { Found } from './tile-store.ts';

declare const self: ServiceWorkerGlobalScope;

const BATCH_PATH = /^([^/]+)\/batch$/;

interface Wanted {
  /** The key exactly as the page named it: frames answer under it. */
  key: string;
  id: TileIdentity;
}

/** Whether this request is a page batch to the own tile API on this origin. */
export function isPageBatch(acc: Accelerator, url: URL, request: Request): boolean {
  const { apiPrefix } = acc.options;
  return (
    request.method === 'POST' &&
    url.origin === self.location.origin &&
    request.headers.get(PAGE_BATCH_HEADER) === 'page' &&
    url.pathname.startsWith(apiPrefix) &&
    BATCH_PATH.test(url.pathname.slice(apiPrefix.length))
  );
}

/** Answers a page batch from the tiers and the batch client, or passes it to the network unchanged. */
export async function handlePageBatch(acc: Accelerator, request: Request, event?: ExtendableEvent): Promise<Response> {
  const wanted = await identities(acc, request);
  if (!wanted) return passThrough(acc, request);
  // Memory hits are known now; only the rest waits for IndexedDB.
  const inMemory = wanted.map(({ id }) => acc.store.memory.get(id.key));
  if (inMemory.every((tile) => tile !== undefined)) return memoryAnswer(acc, wanted, inMemory as StoredTile[]);
  const looked = Promise.all(wanted.map(({ id }, i) => (inMemory[i] ? { tile: inMemory[i], tier: 'memory' as const } : acc.store.lookup(id))));
  // While batching backs off, misses go to the network: find them before answering.
  const found = acc.batching ? null : await looked;
  if (found?.some((hit) => !hit)) return passThrough(acc, request);
  acc.stats.requests += wanted.length;
  const started = performance.now();
  const stop = new AbortController();
  request.signal.addEventListener('abort', () => stop.abort(), { once: true });
  let out!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({ start: (c) => void (out = c), cancel: () => stop.abort() });
  const write = (bytes: Uint8Array) => {
    if (stop.signal.aborted) return;
    try {
      out.enqueue(bytes);
    } catch {
      stop.abort(); // the page went away
    }
  };
  write(BATCH_MAGIC);

  // Each hit's body is read at once, all in parallel, and written the moment
  // it is read: a read is a round trip to the browser's blob store, and
  // taking them one by one made a warm view wait for 40 of them in a row.
  const hit = async (key: string, { tile, tier }: Found) => {
    const body = new Uint8Array(await tile.body.arrayBuffer());
    acc.stats.served(tier, body.length, performance.now() - started);
    write(encodeFrame({ key, status: 200, contentType: tile.contentType, etag: tile.etag, body }));
  };
  const dones: Array<Promise<void>> = [];
  const miss = async ({ key, id }: Wanted) => {
    let answer: BatchAnswer;
    try {
      answer = await acc.batch.request(id, acc.upstreamOf(id).batch!, { signal: stop.signal, priority: 'visible' });
    } catch (error) {
      if (stop.signal.aborted) return;
      acc.stats.fallbacks += 1;
      write(errorFrame(key, error));
      return;
    }
    dones.push(answer.done);
    const { frame } = answer;
    if (frame.status === 200 && frame.body.length > 0) acc.stats.served('batch', frame.body.length, performance.now() - started);
    else acc.stats.errors += 1;
    write(encodeFrame({ ...frame, key }));
  };
  const fromMemory = wanted.flatMap(({ key }, i) => (inMemory[i] ? [hit(key, { tile: inMemory[i], tier: 'memory' })] : []));
  const rest = (async () => {
    const all = found ?? (await looked);
    // Misses are queued in one go, so they leave as one upstream batch.
    const misses = wanted.flatMap((w, i) => (all[i] ? [] : [miss(w)]));
    const fromIdb = wanted.flatMap(({ key }, i) => (all[i] && !inMemory[i] ? [hit(key, all[i])] : []));
    await Promise.all([...misses, ...fromIdb]);
  })();
  const written = Promise.all([...fromMemory, rest])
    .then(() => {
      write(encodeEnd());
      if (!stop.signal.aborted) out.close();
    })
    .catch((error: unknown) => {
      if (!stop.signal.aborted) out.error(error);
    });
  event?.waitUntil(written.then(() => Promise.all(dones)).then(() => undefined));
  return new Response(stream, { headers: { 'Content-Type': BATCH_CONTENT_TYPE, 'Cache-Control': 'no-store', 'X-Tile-Source': 'worker' } });
}

/**
 * Every tile in memory (a warm view): one Blob of frame heads and the tiles'
 * own Blobs. The worker reads no tile body, just as the per-tile path answers
 * `new Response(blob)`; the browser streams the parts to the page.
 */
function memoryAnswer(acc: Accelerator, wanted: Wanted[], tiles: StoredTile[]): Response {
  acc.stats.requests += wanted.length;
  const started = performance.now();
  const parts: BlobPart[] = [BATCH_MAGIC];
  wanted.forEach(({ key }, i) => {
    const tile = tiles[i]!;
    parts.push(encodeFrameHead({ key, status: 200, contentType: tile.contentType, etag: tile.etag }, tile.body.size), tile.body);
    acc.stats.served('memory', tile.body.size, performance.now() - started);
  });
  parts.push(encodeEnd());
  return new Response(new Blob(parts), { headers: { 'Content-Type': BATCH_CONTENT_TYPE, 'Cache-Control': 'no-store', 'X-Tile-Source': 'worker' } });
}

function passThrough(acc: Accelerator, request: Request): Promise<Response> {
  acc.stats.passedThrough += 1;
  return fetch(request);
}

/** The tiles' identities, as the per-tile route would give them; null when the body is malformed or a version is unknown. */
async function identities(acc: Accelerator, request: Request): Promise<Wanted[] | null> {
  const base = new URL(request.url);
  const dir = base.pathname.replace(/\/batch$/, '/');
  let dataset: string;
  try {
    dataset = decodeURIComponent(dir.slice(acc.options.apiPrefix.length, -1));
  } catch {
    return null;
  }
  let tiles: unknown;
  try {
    tiles = ((await request.clone().json()) as { tiles?: unknown } | null)?.tiles;
  } catch {
    return null;
  }
  if (!Array.isArray(tiles) || tiles.length === 0 || tiles.length > MAX_BATCH_TILES) return null;
  const keys = [...new Set(tiles)];
  const wanted: Wanted[] = [];
  for (const key of keys) {
    if (typeof key !== 'string' || key.includes('?') || key.includes('#')) return null;
    const match = acc.match(new URL(`${dir}${key}`, base.origin));
    // A key that climbs out of the dataset (`../`) is the companion's to refuse.
    const id = match?.own && match.source === dataset ? await acc.identify(match) : undefined;
    if (!id) return null;
    wanted.push({ key, id });
  }
  return wanted;
}

function errorFrame(key: string, error: unknown): Uint8Array {
  const failure = error instanceof TileError ? error : new TileError('UPSTREAM_ERROR', 'The worker could not fetch this tile; retry it alone.', { cause: error });
  const body = new TextEncoder().encode(JSON.stringify(failure.toJSON()));
  const frame: BatchFrame = { key, status: failure.status, contentType: 'application/json', etag: '', body };
  return encodeFrame(frame);
}

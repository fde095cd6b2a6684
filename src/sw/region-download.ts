/**
 * One run of an offline region's download: the plan's tiles from the
 * record's cursor on, in chunks of `chunkTiles`, each chunk after the view's
 * visible tiles have landed and queued at `region` priority (behind visible
 * and prefetch tiles in every batch), so a viewer in use never waits for a
 * region. Sources without a companion go through the worker's bounded direct
 * fetches. A chunk's tiles are pinned in one IndexedDB transaction, then the
 * cursor and counters are persisted: at most one chunk (`chunkTiles` tiles)
 * is held in memory, and a run cut short (pause, reload, worker stopped)
 * redoes at most that chunk, whose stored tiles cost a lookup, not a fetch.
 */
import { planRegion, tilesBetween } from '../shared/region-plan.ts';
import type { Pyramid, TileAddress } from '../shared/layouts/index.ts';
import { frameIsTile, frameTile, type Accelerator } from './accelerator.ts';
import type { PinEntry, PinnedTiles } from './pinned-tiles.ts';
import type { RegionRecord } from './region-record.ts';

export interface RegionDownloadOptions {
  /** Tiles asked for at once and pinned together (default 32). */
  chunkTiles: number;
  /** Longest wait for the view's visible tiles before each chunk (default 3000 ms). */
  visibleWaitMs: number;
}

export const DEFAULT_REGION_DOWNLOAD: RegionDownloadOptions = { chunkTiles: 32, visibleWaitMs: 3000 };

/** A source's geometry and the version its tiles are keyed under now. */
export interface Geometry {
  pyramid: Pyramid;
  version: string;
}

export interface DownloadEdges {
  acc: Accelerator;
  pinned: PinnedTiles;
  /** Called after each chunk is pinned (persist, tell the pages). */
  chunkDidLand(record: RegionRecord): Promise<void>;
  /** The source's geometry now, undefined when it is not known (unregistered, info never seen). */
  geometry(source: string): Promise<Geometry | undefined>;
}

/** Runs until the plan is done, the signal aborts, or the source's version moves on (the region is then stale). */
export async function downloadRegion(record: RegionRecord, edges: DownloadEdges, options: RegionDownloadOptions, signal: AbortSignal): Promise<void> {
  const { acc, pinned } = edges;
  const geometry = await edges.geometry(record.source);
  if (!geometry || geometry.version !== record.pyramidVersion) return;
  const plan = planRegion(geometry.pyramid, record);
  while (record.cursor < plan.tiles && !signal.aborted) {
    await acc.batch.visibleSettled(signal, options.visibleWaitMs);
    if (signal.aborted) return;
    const now = await edges.geometry(record.source);
    if (now?.version !== record.pyramidVersion) return; // re-tiled meanwhile: stale, stop
    const chunk = tilesBetween(plan, record.cursor, record.cursor + options.chunkTiles);
    const results = await Promise.all(chunk.map((tile) => fetchTile(acc, record.source, geometry.pyramid, tile, signal)));
    if (signal.aborted) return; // the chunk is redone on resume
    const landed = results.filter((r): r is PinEntry => r !== null);
    await pinned.pin(record.id, landed);
    record.cursor += chunk.length;
    record.done += landed.length;
    record.bytes += landed.reduce((sum, e) => sum + e.tile.body.size, 0);
    record.failures += chunk.length - landed.length;
    if (record.cursor >= plan.tiles) record.state = 'done';
    await edges.chunkDidLand(record);
  }
}

/** The tile from the tiers, a batch at region priority, or a direct fetch; null when it could not be had. */
async function fetchTile(acc: Accelerator, source: string, pyramid: Pyramid, tile: TileAddress, signal: AbortSignal): Promise<PinEntry | null> {
  const id = await acc.identityOf(source, tile, pyramid.format);
  if (!id) return null;
  const found = await acc.store.lookup(id);
  if (found) return { key: id.key, tile: found.tile };
  const upstream = acc.upstreamOf(id);
  if (upstream.batch && acc.batching) {
    try {
      const { frame } = await acc.batch.request(id, upstream.batch, { priority: 'region', signal });
      if (frameIsTile(frame)) return { key: id.key, tile: frameTile(frame) };
      if (frame.status === 404) return null;
    } catch {
      if (signal.aborted) return null;
    }
  }
  if (signal.aborted) return null;
  try {
    const result = await acc.direct.request(id, upstream.direct);
    return result.storable ? { key: id.key, tile: result.tile } : null;
  } catch {
    return null;
  }
}

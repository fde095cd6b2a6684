/**
 * The accelerator's parts, wired once per worker: memory and IndexedDB tiers,
 * dataset versions, the batch client and the stats. The strategy walks the
 * tiers; this module decides what is stored where and keeps the counts.
 */
import type { BatchFrame } from '../shared/batch-protocol.ts';
import { cacheKey, parseTileCoord } from '../shared/tile-key.ts';
import { BatchClient } from './batch-client.ts';
import { DatasetVersions } from './dataset-versions.ts';
import { IdbTier } from './idb-tier.ts';
import { MemoryTier } from './memory-tier.ts';
import { DEFAULT_OPTIONS, type AcceleratorOptions } from './options.ts';
import type { StoredTile } from './stored-tile.ts';
import { TileDbHandle } from './tile-db.ts';
import { WorkerStats } from './worker-stats.ts';

export interface AcceleratorEdges {
  /** The network; defaults to the global fetch. */
  fetch?: (request: Request) => Promise<Response>;
  db?: TileDbHandle;
}

// One Blob per frame, shared by the memory tier, the response and the IndexedDB write (each would copy the bytes).
const tiles = new WeakMap<BatchFrame, StoredTile>();

export function frameTile(frame: BatchFrame): StoredTile {
  let tile = tiles.get(frame);
  if (!tile) {
    tile = { body: new Blob([frame.body], { type: frame.contentType }), contentType: frame.contentType, etag: frame.etag };
    tiles.set(frame, tile);
  }
  return tile;
}

export class Accelerator {
  readonly options: AcceleratorOptions;
  readonly stats = new WorkerStats();
  readonly memory: MemoryTier;
  readonly idb: IdbTier;
  readonly versions: DatasetVersions;
  readonly batch: BatchClient;
  /** More sections for the stats report, by name (the prefetcher adds `prefetch`). */
  readonly reports: Record<string, () => unknown> = {};

  constructor(options: Partial<AcceleratorOptions> = {}, edges: AcceleratorEdges = {}) {
    this.options = { ...DEFAULT_OPTIONS, ...options };
    const o = this.options;
    const fetchEdge = edges.fetch ?? ((request: Request) => fetch(request));
    const db = edges.db ?? new TileDbHandle();
    const idbError = (what: string, error: unknown) => {
      this.stats.idbErrors += 1;
      console.warn(`tile-accelerator: IndexedDB ${what} failed; carrying on without it.`, error);
    };
    this.memory = new MemoryTier(o.memoryMaxBytes);
    this.idb = new IdbTier(db, {
      maxBytes: o.idbMaxBytes,
      quotaShare: o.idbQuotaShare,
      touchFlushMs: o.idbTouchFlushMs,
      onError: idbError,
      onEvict: (entries) => (this.stats.idbEvictions += entries),
    });
    this.versions = new DatasetVersions(db, {
      fetch: fetchEdge,
      apiPrefix: o.apiPrefix,
      onError: idbError,
      versionDidChange: (dataset, old) => {
        // The old version can never be asked for again: free its space now, off the response path.
        this.memory.deletePrefix(`${dataset}@${old}/`);
        this.idb.deletePrefix(`${dataset}@${old}/`).catch((error: unknown) => idbError('delete', error));
      },
    });
    this.batch = new BatchClient({
      fetch: fetchEdge,
      apiPrefix: o.apiPrefix,
      window: o.window,
      maxConcurrent: o.maxConcurrentBatches,
      maxPending: o.maxPending,
      backoffMs: o.batchBackoffMs,
      stallMs: o.batchStallMs,
      hooks: {
        batchWillSend: (_dataset, tiles) => {
          this.stats.batches += 1;
          this.stats.batchTiles += tiles;
        },
        requestDidJoin: () => (this.stats.joined += 1),
        batchDidFail: () => (this.stats.batchFailures += 1),
        frameDidArrive: (dataset, frame) => {
          const key = this.#keyOf(dataset, frame.key);
          if (key && frame.status === 200 && frame.body.length > 0) this.memory.set(key, frameTile(frame));
        },
        batchDidComplete: (dataset, frames) =>
          this.idb.putMany(
            frames.flatMap((frame) => {
              const key = this.#keyOf(dataset, frame.key);
              return key && frame.body.length > 0 ? [{ key, tile: frameTile(frame) }] : [];
            }),
          ),
      },
    });
  }

  /** Whether tiles should go through batches now (configured on, and not backing off). */
  get batching(): boolean {
    return this.options.batching && this.batch.available;
  }

  async clear(): Promise<void> {
    this.memory.clear();
    await this.idb.clear();
  }

  async statsReport(): Promise<object> {
    return {
      ...this.stats.snapshot(),
      memory: this.memory.usage(),
      idb: await this.idb.usage(),
      queue: { pending: this.batch.pending, inFlight: this.batch.inFlight, batching: this.batching },
      options: this.options,
      ...Object.fromEntries(Object.entries(this.reports).map(([name, report]) => [name, report()])),
    };
  }

  #keyOf(dataset: string, coord: string): string | undefined {
    const version = this.versions.current(dataset);
    try {
      return version === undefined ? undefined : cacheKey(dataset, version, parseTileCoord(coord));
    } catch {
      return undefined;
    }
  }
}

/**
 * The accelerator's parts, wired once per worker: the tile store (memory and
 * IndexedDB), dataset versions (the project's own tile API), registered
 * sources (any other pyramid), the batch client (sources with a companion),
 * the direct client (sources without one), the revalidator and the stats.
 *
 * It answers three questions for the strategy and the prefetcher: which tile
 * a URL names (`match`, once, at the route), under which key it is stored
 * (`identify`), and where its bytes come from (`upstreamOf`).
 */
import type { BatchFrame } from '../shared/batch-protocol.ts';
import type { TileAddress } from '../shared/layouts/index.ts';
import { matchTilePath } from '../shared/dataset-path.ts';
import { BatchClient, type BatchTarget } from './batch-client.ts';
import { DatasetVersions } from './dataset-versions.ts';
import { DirectClient, type DirectFetch } from './direct-client.ts';
import { IdbTier } from './idb-tier.ts';
import { MemoryTier } from './memory-tier.ts';
import { resolveAcceleratorOptions, type AcceleratorOptions } from './options.ts';
import { Revalidator } from './revalidator.ts';
import { SourceRegistry } from './source-registry.ts';
import type { StoredTile } from './stored-tile.ts';
import { TileDbHandle } from './tile-db.ts';
import { identify, type TileIdentity, type TileMatch } from './tile-identity.ts';
import { TileStore } from './tile-store.ts';
import { FailedTiles } from './failed-tiles.ts';
import { droppedMessage } from '../shared/view-protocol.ts';
import { bodyProblem } from './tile-body.ts';
import { headerList } from './stored-tile.ts';
import { WorkerStats } from './worker-stats.ts';

declare const self: ServiceWorkerGlobalScope;

export interface AcceleratorEdges {
  /** The network; defaults to the global fetch. */
  fetch?: (request: Request) => Promise<Response>;
  db?: TileDbHandle;
}

/** Where a tile's bytes come from: a companion's batches (when configured), else the tile URL itself. */
export interface Upstream {
  batch?: BatchTarget;
  direct: DirectFetch;
}

// One Blob per frame, shared by the memory tier, the response and the IndexedDB write (each would copy the bytes).
const tiles = new WeakMap<BatchFrame, StoredTile>();

export function frameTile(frame: BatchFrame): StoredTile {
  let tile = tiles.get(frame);
  if (!tile) {
    tile = { body: new Blob([frame.body], { type: frame.contentType }), contentType: frame.contentType, etag: frame.etag, storedAt: Date.now() };
    tiles.set(frame, tile);
  }
  return tile;
}

/** A 200 frame whose body is a whole image of its content type: the only frames kept or answered as tiles. */
export function frameIsTile(frame: BatchFrame): boolean {
  return frame.status === 200 && bodyProblem(frame.body, frame.contentType) === null;
}

export class Accelerator {
  readonly options: AcceleratorOptions;
  readonly stats = new WorkerStats();
  readonly store: TileStore;
  /** The IndexedDB database the tiers, versions, sources and offline regions share. */
  readonly db: TileDbHandle;
  readonly versions: DatasetVersions;
  readonly sources: SourceRegistry;
  readonly batch: BatchClient;
  readonly direct: DirectClient;
  readonly revalidator: Revalidator;
  /** Tiles that failed every way, retried in the background until the upstream answers (failed-tiles.ts). */
  readonly failed: FailedTiles;
  /** The identity each page request was parsed into (for plugins that see the request again). */
  readonly identities = new WeakMap<Request, TileIdentity>();
  /** More sections for the stats report, by name (the prefetcher adds `prefetch`). */
  readonly reports: Record<string, () => unknown> = {};

  constructor(options: Partial<AcceleratorOptions> = {}, edges: AcceleratorEdges = {}) {
    this.options = resolveAcceleratorOptions(options);
    const o = this.options;
    const fetchEdge = edges.fetch ?? ((request: Request) => fetch(request));
    const db = (this.db = edges.db ?? new TileDbHandle());
    const idbError = (what: string, error: unknown) => {
      this.stats.idbErrors += 1;
      console.warn(`tile-accelerator: IndexedDB ${what} failed; carrying on without it.`, error);
    };
    this.store = new TileStore(
      new MemoryTier(o.memoryMaxBytes),
      new IdbTier(db, {
        maxBytes: o.idbMaxBytes,
        quotaShare: o.idbQuotaShare,
        touchFlushMs: o.idbTouchFlushMs,
        onError: idbError,
        onEvict: (entries) => (this.stats.idbEvictions += entries),
      }),
    );
    // The old version can never be asked for again: free its space now, off the response path.
    const forget = (source: string, old: string) => this.store.forgetVersion(source, old).catch((error: unknown) => idbError('delete', error));
    this.versions = new DatasetVersions(db, { fetch: fetchEdge, apiPrefix: o.apiPrefix, timeoutMs: o.infoTimeoutMs, onError: idbError, versionDidChange: (dataset, old) => void forget(dataset, old) });
    this.sources = new SourceRegistry(db, { fetch: fetchEdge, timeoutMs: o.infoTimeoutMs, onError: idbError, versionDidChange: (source, old) => void forget(source, old) });
    this.direct = new DirectClient({ fetch: fetchEdge, concurrency: o.directConcurrency, maxPending: o.maxPending, timeoutMs: o.tileTimeoutMs });
    this.revalidator = new Revalidator({ fetch: fetchEdge, store: this.store, maxAgeMs: o.revalidateAfterMs, timeoutMs: o.tileTimeoutMs });
    this.failed = new FailedTiles({
      scheduleMs: o.retryFailedMs,
      maxTiles: 256,
      retry: async (id) => {
        const result = await this.direct.request(id, this.upstreamOf(id).direct);
        if (!result.storable) return false;
        await this.store.put(id, result.tile);
        return this.store.memory.get(id.key) !== undefined;
      },
      notify: async (urls) => {
        for (const client of await self.clients.matchAll({ type: 'window' })) client.postMessage(droppedMessage(urls));
      },
    });
    this.batch = new BatchClient({
      fetch: fetchEdge,
      window: o.window,
      maxConcurrent: o.maxConcurrentBatches,
      maxPending: o.maxPending,
      backoffMs: o.batchBackoffMs,
      stallMs: o.batchStallMs,
      hooks: {
        batchWillSend: (_target, n) => {
          this.stats.batches += 1;
          this.stats.batchTiles += n;
        },
        requestDidJoin: () => (this.stats.joined += 1),
        batchDidFail: () => (this.stats.batchFailures += 1),
        frameDidArrive: ({ id, frame }) => {
          if (frameIsTile(frame)) this.store.remember(id, frameTile(frame));
        },
        batchDidComplete: (arrived) => this.store.putMany(arrived.filter(({ frame }) => frameIsTile(frame)).map(({ id, frame }) => ({ id, tile: frameTile(frame) }))),
      },
    });
  }

  /** Whether tiles should go through batches now (configured on, and not backing off). */
  get batching(): boolean {
    return this.options.batching && this.batch.available;
  }

  /** The tile a GET names: the own tile API on this origin first, then the registered source with the longest tile root. */
  match(url: URL): TileMatch | null {
    if (url.origin === self.location.origin) {
      const own = matchTilePath(url.pathname, this.options.apiPrefix);
      if (own) return { kind: 'tile-match', source: own.dataset, own: true, level: own.z, x: own.x, y: own.y, ext: own.ext, url: url.href };
    }
    return this.sources.match(url.href);
  }

  /** The match's identity under the version in effect now; undefined while an own dataset's version is unknown. */
  async identify(match: TileMatch): Promise<TileIdentity | undefined> {
    if (!match.own) return this.sources.identify(match);
    const version = await this.versions.version(match.source);
    return version === undefined ? undefined : identify(match, version);
  }

  /** The identity of a tile nobody asked for yet (prefetch); `ext` for the own tile API, whose URLs carry it. */
  async identityOf(source: string, tile: TileAddress, ext: string): Promise<TileIdentity | undefined> {
    const registered = this.sources.identityOf(source, tile);
    if (registered) return registered;
    const version = await this.versions.version(source);
    if (version === undefined) return undefined;
    const url = new URL(`${this.options.apiPrefix}${encodeURIComponent(source)}/${tile.level}/${tile.x}/${tile.y}.${ext}`, self.location.href).href;
    return identify({ source, ...tile, ext, url }, version);
  }

  /**
   * Where the tile's bytes come from, with the headers and credentials to
   * send: the page request's own (remembered per source for prefetch and
   * revalidation), else the last ones a page sent for the source.
   */
  upstreamOf(id: TileIdentity, request?: Request): Upstream {
    const registered = this.sources.get(id.source);
    let headers: Array<[string, string]>;
    if (request) {
      headers = headerList(request.headers).filter(([name]) => name !== 'x-tile-priority');
      if (registered) this.sources.rememberHeaders(id.source, headers);
    } else headers = registered?.headers ?? [];
    // A page's no-cors image request says nothing about credentials; the source's policy does.
    const credentials = request?.mode === 'cors' ? request.credentials : (registered?.spec.credentials ?? 'same-origin');
    const direct = { headers, credentials };
    const api = registered ? registered.spec.companion : { apiBase: this.options.apiPrefix.replace(/\/$/, ''), dataset: id.source };
    if (!api) return { direct };
    // The batch sets its own Accept; leaving the page's out keeps visible and prefetch tiles in the same batches.
    const batchHeaders = headers.filter(([name]) => name !== 'accept');
    return { batch: { url: new URL(`${api.apiBase}/${encodeURIComponent(api.dataset)}/batch`, self.location.href).href, headers: batchHeaders, credentials }, direct };
  }

  /** Whether stored tiles of this source are revalidated by age (registered sources; the own API is versioned by its info). */
  revalidates(id: TileIdentity): boolean {
    return this.sources.get(id.source) !== undefined;
  }

  async clear(): Promise<void> {
    await this.store.clear();
  }

  async statsReport(): Promise<object> {
    const { memory, idb } = await this.store.usage();
    return {
      ...this.stats.snapshot(),
      memory,
      idb,
      queue: { pending: this.batch.pending, inFlight: this.batch.inFlight, batching: this.batching, direct: this.direct.pending },
      direct: { fetches: this.direct.fetches, joined: this.direct.joined },
      revalidation: { revalidated: this.revalidator.revalidated, replaced: this.revalidator.replaced },
      retries: { waiting: this.failed.waiting, recovered: this.failed.recovered, abandoned: this.failed.abandoned },
      integrity: { refused: this.store.refused, healed: this.store.idb.healed },
      sources: this.sources.list(),
      options: this.options,
      ...Object.fromEntries(Object.entries(this.reports).map(([name, report]) => [name, report()])),
    };
  }
}

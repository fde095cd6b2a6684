/**
 * Offline regions in the worker: pages pin an area and a range of levels of
 * any source the accelerator handles (shared/region-protocol.ts), the worker
 * plans its tiles with the source's geometry and identity (so the keys are
 * the ones the viewer will ask for), refuses it up front when it cannot fit,
 * downloads it behind the viewers (region-download.ts), pins its tiles in
 * IndexedDB (pinned-tiles.ts: exempt from LRU eviction) and keeps its state
 * in `meta` (region-record.ts), resuming after a reload or a restart.
 *
 * Quota: a region fits when its estimate is at most the smaller of (a) the
 * IndexedDB tier's budget minus what other regions already hold and (b) the
 * origin's free quota (`navigator.storage.estimate()`: quota - usage).
 *
 * Versions: a region is fetched for one pyramid version. When the source is
 * re-tiled (a new dataset info version, or a new descriptor), the old
 * version's tiles are freed as before and the region reports `stale` until
 * `refresh` fetches it again for the new version.
 */
import { TileError } from '../shared/errors.ts';
import { estimateRegion, planRegion, type LevelSample } from '../shared/region-plan.ts';
import { parsePageMessage } from '../shared/view-protocol.ts';
import {
  parseRegionRequest,
  regionErrorReply,
  regionProgress,
  regionReply,
  RegionRefusedError,
  type EstimateResult,
  type RegionRequestArea,
  type RegionSummary,
  type StorageReport,
} from '../shared/region-protocol.ts';
import type { Accelerator } from './accelerator.ts';
import { PinnedTiles } from './pinned-tiles.ts';
import { DEFAULT_REGION_DOWNLOAD, downloadRegion, type Geometry, type RegionDownloadOptions } from './region-download.ts';
import { RegionRecords, summaryOf, type RegionRecord } from './region-record.ts';
import { versionPrefix } from './tile-identity.ts';

declare const self: ServiceWorkerGlobalScope;

/** Tiles sampled per level for the byte estimate. */
const SAMPLE_TILES = 256;
/** A view inside a region refreshes its `lastUsed` at most this often in IndexedDB. */
const LAST_USED_WRITE_MS = 60_000;

export class RegionManager {
  readonly #acc: Accelerator;
  readonly #options: RegionDownloadOptions;
  readonly #records: RegionRecords;
  readonly #pinned: PinnedTiles;
  readonly #regions = new Map<string, RegionRecord>();
  readonly #running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  #persisted: boolean | null = null;
  readonly ready: Promise<void>;

  constructor(acc: Accelerator, options: Partial<RegionDownloadOptions> = {}) {
    this.#acc = acc;
    this.#options = { ...DEFAULT_REGION_DOWNLOAD, ...options };
    const onError = (what: string, error: unknown) => {
      acc.stats.idbErrors += 1;
      console.warn(`tile-accelerator: IndexedDB ${what} failed`, error);
    };
    this.#records = new RegionRecords(acc.db, onError);
    this.#pinned = new PinnedTiles(acc.db);
    this.ready = this.#load();
  }

  /**
   * Answers a region request on the message's port (null: not one); the
   * promise also covers running downloads, for `event.waitUntil`.
   */
  handleMessage(event: ExtendableMessageEvent): Promise<void> | null {
    this.#observeView(event.data);
    const request = parseRegionRequest(event.data);
    if (!request) return null;
    const answer = (async () => {
      await this.ready;
      switch (request.op) {
        case 'estimate': return this.estimate(request.area);
        case 'pin': return this.pin(request.area, request.persisted);
        case 'pause': return this.pause(request.id);
        case 'resume': return this.resume(request.id);
        case 'cancel':
        case 'delete': return this.delete(request.id);
        case 'refresh': return this.refresh(request.id);
        case 'list': return this.list();
      }
    })();
    const replied = answer.then(regionReply, regionErrorReply).then((reply) => {
      const port = event.ports[0];
      if (port) port.postMessage(reply);
      else (event.source as Client | null)?.postMessage(reply);
    });
    return replied.then(() => this.running());
  }

  /** Settles when no download runs (a worker kept alive by a message waits for it). */
  async running(): Promise<void> {
    while (this.#running.size > 0) await Promise.all([...this.#running.values()].map((r) => r.done));
  }

  async estimate(area: RegionRequestArea): Promise<EstimateResult> {
    const geometry = await this.#geometryOrThrow(area.source);
    const plan = planRegion(geometry.pyramid, area);
    const samples = new Map<number, LevelSample>();
    for (const range of plan.ranges) samples.set(range.level, await this.#pinned.sample(`${versionPrefix(area.source, geometry.version)}${range.level}/`, SAMPLE_TILES));
    const estimate = estimateRegion(plan, geometry.pyramid.tileSize, samples);
    const storage = await this.storage();
    const freeQuota = storage.quota !== null ? storage.quota - (storage.usage ?? 0) : Number.POSITIVE_INFINITY;
    const available = Math.max(0, Math.min(storage.idbBudget - storage.pinnedBytes, freeQuota));
    if (estimate.bytes <= available) return { estimate, fits: true };
    const { idbBudget, pinnedBytes, quota, usage } = storage;
    return { estimate, fits: false, refusal: { needed: estimate.bytes, available, idbBudget, pinnedBytes, quota, usage } };
  }

  /** Starts a region; throws RegionRefusedError (with the numbers) when it cannot fit, before any tile is fetched. */
  async pin(area: RegionRequestArea, persisted: boolean | null): Promise<RegionSummary> {
    if (persisted !== null) this.#persisted = persisted;
    const { estimate, refusal } = await this.estimate(area);
    if (refusal) throw new RegionRefusedError(refusal);
    const geometry = (await this.#geometry(area.source))!;
    const now = Date.now();
    const id = `r-${now.toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    const record: RegionRecord = { key: `region:${id}`, id, ...area, pyramidVersion: geometry.version, state: 'downloading', cursor: 0, tiles: estimate.tiles, done: 0, bytes: 0, failures: 0, createdAt: now, lastUsed: now };
    this.#regions.set(id, record);
    await this.#records.put(record);
    this.#start(record);
    return this.#summary(record);
  }

  async pause(id: string): Promise<RegionSummary> {
    const record = this.#get(id);
    if (record.state === 'downloading') {
      record.state = 'paused';
      await this.#stop(id);
      await this.#save(record);
    }
    return this.#summary(record);
  }

  async resume(id: string): Promise<RegionSummary> {
    const record = this.#get(id);
    if (record.state === 'paused') {
      record.state = 'downloading';
      await this.#save(record);
      this.#start(record);
    }
    return this.#summary(record);
  }

  /** Stops the region and frees the tiles no other region holds. */
  async delete(id: string): Promise<{ id: string; freedTiles: number; freedBytes: number }> {
    const record = this.#get(id);
    await this.#stop(id);
    this.#regions.delete(id);
    await this.#records.delete(id);
    const freed = await this.#pinned.unpin(id);
    this.#broadcast(regionProgress(this.#summary(record), true));
    return { id, freedTiles: freed.tiles, freedBytes: freed.bytes };
  }

  /** Fetches the region again for the source's current version (a stale or incomplete region). */
  async refresh(id: string): Promise<RegionSummary> {
    const record = this.#get(id);
    await this.#stop(id);
    const geometry = await this.#geometryOrThrow(record.source);
    if (geometry.version !== record.pyramidVersion) await this.#pinned.unpin(id);
    const plan = planRegion(geometry.pyramid, record);
    Object.assign(record, { pyramidVersion: geometry.version, state: 'downloading', cursor: 0, tiles: plan.tiles, done: 0, bytes: 0, failures: 0 });
    await this.#save(record);
    this.#start(record);
    return this.#summary(record);
  }

  /** Every region with its tiles counted in IndexedDB now, and storage used against quota. */
  async list(): Promise<{ regions: RegionSummary[]; storage: StorageReport }> {
    const regions: RegionSummary[] = [];
    for (const record of this.#regions.values()) regions.push(summaryOf(record, await this.#version(record.source), await this.#pinned.count(record.id)));
    return { regions, storage: await this.storage() };
  }

  async storage(): Promise<StorageReport> {
    const { idb } = await this.#acc.store.usage();
    let quota: number | null = null;
    let usage: number | null = null;
    try {
      const estimate = await navigator.storage.estimate();
      quota = estimate.quota ?? null;
      usage = estimate.usage ?? null;
    } catch {
      // no StorageManager: the IndexedDB budget alone bounds regions
    }
    const pinnedBytes = [...this.#regions.values()].reduce((sum, r) => sum + r.bytes, 0);
    return { quota, usage, idbBudget: idb.budget, idbBytes: idb.bytes, pinnedBytes, persisted: this.#persisted };
  }

  snapshot(): { regions: number; downloading: number; persisted: boolean | null } {
    return { regions: this.#regions.size, downloading: this.#running.size, persisted: this.#persisted };
  }

  #start(record: RegionRecord): void {
    if (this.#running.has(record.id)) return;
    const controller = new AbortController();
    const edges = {
      acc: this.#acc,
      pinned: this.#pinned,
      geometry: (source: string) => this.#geometry(source),
      chunkDidLand: (r: RegionRecord) => this.#save(r),
    };
    const done = downloadRegion(record, edges, this.#options, controller.signal)
      .catch((error: unknown) => console.warn(`tile-accelerator: region ${record.id} download stopped`, error))
      .finally(() => {
        if (this.#running.get(record.id)?.controller === controller) this.#running.delete(record.id);
        // The run's end as the page should see it (`stale` when the source was re-tiled meanwhile).
        if (!controller.signal.aborted && this.#regions.has(record.id)) void this.#version(record.source).then((v) => this.#broadcast(regionProgress(summaryOf(record, v))));
      });
    this.#running.set(record.id, { controller, done });
  }

  async #stop(id: string): Promise<void> {
    const run = this.#running.get(id);
    if (!run) return;
    run.controller.abort();
    await run.done;
  }

  async #save(record: RegionRecord): Promise<void> {
    await this.#records.put(record);
    if (this.#regions.has(record.id)) this.#broadcast(regionProgress(this.#summary(record)));
  }

  #summary(record: RegionRecord): RegionSummary {
    return summaryOf(record, undefined);
  }

  #broadcast(message: unknown): void {
    void self.clients
      .matchAll({ type: 'window', includeUncontrolled: true })
      .then((clients) => clients.forEach((client) => client.postMessage(message)))
      .catch((error: unknown) => console.warn('tile-accelerator: region progress not delivered', error));
  }

  #get(id: string): RegionRecord {
    const record = this.#regions.get(id);
    if (!record) throw new TileError('NOT_FOUND', `No offline region "${id}": list the regions for their ids.`);
    return record;
  }

  async #load(): Promise<void> {
    for (const record of await this.#records.all()) this.#regions.set(record.id, record);
    // A reload or a restarted worker: downloads that were running go on from their cursor.
    for (const record of this.#regions.values()) if (record.state === 'downloading') this.#start(record);
  }

  async #geometry(source: string): Promise<Geometry | undefined> {
    await this.#acc.sources.ready;
    const registered = this.#acc.sources.get(source);
    if (registered) return { pyramid: registered.spec.pyramid, version: registered.version };
    const [info, version] = await Promise.all([this.#acc.versions.info(source), this.#acc.versions.version(source)]);
    if (!info || version === undefined) return undefined;
    const { width, height, tileSize, overlap, minLevel, maxLevel, format } = info;
    return { pyramid: { layout: 'own', width, height, tileSize, overlap, minLevel, maxLevel, format, rounding: 'ceil' }, version };
  }

  async #geometryOrThrow(source: string): Promise<Geometry> {
    const geometry = await this.#geometry(source);
    if (!geometry) throw new TileError('NOT_FOUND', `The worker knows no source "${source}": open it in a viewer first (its info or descriptor registers it).`);
    return geometry;
  }

  async #version(source: string): Promise<string | undefined> {
    return (await this.#geometry(source))?.version;
  }

  /** A view inside a region (source, rectangle and level) marks it used. */
  #observeView(data: unknown): void {
    let view;
    try {
      const message = parsePageMessage(data);
      view = message?.type === 'view' ? message.view : null;
    } catch {
      return;
    }
    if (!view) return;
    const now = Date.now();
    for (const record of this.#regions.values()) {
      if (record.source !== view.dataset || view.level < record.minLevel || view.level > record.maxLevel) continue;
      const r = record.rect;
      if (r && (view.rect.x + view.rect.width < r.x || view.rect.x > r.x + r.width || view.rect.y + view.rect.height < r.y || view.rect.y > r.y + r.height)) continue;
      const write = now - record.lastUsed > LAST_USED_WRITE_MS;
      record.lastUsed = now;
      if (write && !this.#running.has(record.id)) void this.#records.put(record);
    }
  }
}

/**
 * Which version of each dataset the cache keys use. The page's
 * `/api/tiles/{dataset}/info` goes through here network-first: a fresh info
 * answer sets the version (kept in IndexedDB's `meta`, so a restarted worker
 * still knows it) and, when it changed, forgets the old version's tiles. With
 * the network down, the last known info answers instead.
 */
import { parseDatasetInfo, type DatasetInfo } from '../shared/dataset-info.ts';
import type { DatasetMeta, TileDbHandle } from './tile-db.ts';

export interface DatasetVersionsOptions {
  fetch: (request: Request) => Promise<Response>;
  apiPrefix: string;
  /** Called when a dataset's version changes from `old` to `current`. */
  versionDidChange: (dataset: string, old: string, current: string) => void;
  onError?: (what: string, error: unknown) => void;
  /** The worker's own info fetches, and a page's info request before the stored info answers instead, give up after this (ms). */
  timeoutMs: number;
}

export class DatasetVersions {
  readonly #db: TileDbHandle;
  readonly #options: DatasetVersionsOptions;
  readonly #known = new Map<string, string>();
  readonly #loading = new Map<string, Promise<string | undefined>>();

  constructor(db: TileDbHandle, options: DatasetVersionsOptions) {
    this.#db = db;
    this.#options = options;
  }

  /** The version now in effect: remembered, else from `meta`, else asked of the network once. */
  async version(dataset: string): Promise<string | undefined> {
    const known = this.#known.get(dataset);
    if (known) return known;
    let loading = this.#loading.get(dataset);
    if (!loading) {
      loading = this.#load(dataset).finally(() => this.#loading.delete(dataset));
      this.#loading.set(dataset, loading);
    }
    return loading;
  }

  /** The dataset's last known info (offline regions plan with its geometry). */
  async info(dataset: string): Promise<DatasetInfo | undefined> {
    return (await this.#stored(dataset))?.info;
  }

  current(dataset: string): string | undefined {
    return this.#known.get(dataset);
  }

  /** Network-first handling of an info request. */
  async handleInfo(request: Request, dataset: string): Promise<Response> {
    let response: Response;
    try {
      // A stalled companion: the stored info answers once the timeout passes.
      response = await this.#options.fetch(new Request(request, { signal: AbortSignal.any([request.signal, AbortSignal.timeout(this.#options.timeoutMs)]) }));
    } catch (error) {
      return (await this.#storedResponse(dataset)) ?? Promise.reject(error);
    }
    if (response.ok) await this.#remember(dataset, parseDatasetInfo(await response.clone().json(), dataset));
    // A companion in trouble (5xx) should not take down a viewer whose dataset the worker knows.
    else if (response.status >= 500) return (await this.#storedResponse(dataset)) ?? response;
    return response;
  }

  async #storedResponse(dataset: string): Promise<Response | undefined> {
    const stored = await this.#stored(dataset);
    return stored && Response.json(stored.info, { headers: { 'X-Tile-Source': 'idb', 'Cache-Control': 'no-store' } });
  }

  forget(): void {
    this.#known.clear();
  }

  async #load(dataset: string): Promise<string | undefined> {
    const stored = await this.#stored(dataset);
    if (stored) {
      this.#known.set(dataset, stored.version);
      return stored.version;
    }
    try {
      const url = `${this.#options.apiPrefix}${encodeURIComponent(dataset)}/info`;
      const response = await this.#options.fetch(new Request(url, { cache: 'no-cache', signal: AbortSignal.timeout(this.#options.timeoutMs) }));
      if (!response.ok) return undefined;
      return (await this.#remember(dataset, parseDatasetInfo(await response.json(), dataset))).version;
    } catch (error) {
      this.#options.onError?.('info', error);
      return undefined;
    }
  }

  async #remember(dataset: string, info: DatasetInfo): Promise<DatasetInfo> {
    const old = this.#known.get(dataset) ?? (await this.#stored(dataset))?.version;
    this.#known.set(dataset, info.version);
    if (old !== undefined && old !== info.version) this.#options.versionDidChange(dataset, old, info.version);
    try {
      const db = await this.#db.get();
      const record: DatasetMeta = { key: `dataset:${dataset}`, dataset, version: info.version, info };
      await db?.put('meta', record);
    } catch (error) {
      this.#options.onError?.('meta', error);
    }
    return info;
  }

  async #stored(dataset: string): Promise<DatasetMeta | undefined> {
    try {
      const db = await this.#db.get();
      return (await db?.get('meta', `dataset:${dataset}`)) as DatasetMeta | undefined;
    } catch (error) {
      this.#options.onError?.('meta', error);
      return undefined;
    }
  }
}

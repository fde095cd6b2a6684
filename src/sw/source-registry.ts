/**
 * The tile sources the worker accelerates besides the project's own tile
 * API: registered by pages (`enableTileAccelerator`) or by configuration
 * (`registerTileAccelerator({ sources })`), kept in IndexedDB's `meta` so a
 * restarted worker still routes them.
 *
 * - `match(url)` finds the source with the longest tile root the URL starts
 *   with and parses the rest once into a TileMatch (null: not a tile of ours).
 * - Versions: a source with a descriptor is versioned by it. Every descriptor
 *   the pages fetch goes through `handleDescriptor` (network-first); its
 *   version is a hash of its ETag and Last-Modified (or of its body when it
 *   has neither), so a pyramid re-tiled in place gets a new version at the
 *   next descriptor fetch that differs from the last one seen, and the old
 *   version's tiles are freed. A
 *   without a descriptor is `inline` (or the version its page gave); its
 *   tiles are revalidated by age instead (revalidator.ts).
 * - Headers: the last headers a page sent for a source's tiles (e.g. an
 *   `Authorization` from OpenSeadragon's `ajaxHeaders`) are remembered in
 *   memory only (never written to disk) for the worker's own requests.
 */
import { parseTileSourceSpec, tileUrlsOf, type TileSourceSpec, type TileUrls } from '../shared/tile-source-spec.ts';
import type { TileAddress } from '../shared/layouts/index.ts';
import type { SourceMeta, TileDbHandle } from './tile-db.ts';
import { identify, type TileIdentity, type TileMatch } from './tile-identity.ts';

export interface RegisteredSource {
  spec: TileSourceSpec;
  urls: TileUrls;
  /** The namespace of the source's cache keys. */
  version: string;
  /** The descriptor's version when last seen; undefined while the worker has never seen the descriptor. */
  descriptorVersion?: string;
  /** Headers of the last page request for this source's tiles (memory only). */
  headers: Array<[string, string]>;
}

export interface SourceRegistryOptions {
  fetch: (request: Request) => Promise<Response>;
  versionDidChange: (source: string, old: string) => void;
  onError?: (what: string, error: unknown) => void;
  /** The worker's own descriptor fetches give up after this (ms). */
  timeoutMs: number;
  /** Most sources kept (oldest registration forgotten first). */
  maxSources?: number;
}

const DESCRIPTOR_PATH = /(\.dzi|\/ImageProperties\.xml|\/info\.json)$/i;
const MAX_DESCRIPTORS = 256;

export class SourceRegistry {
  readonly #db: TileDbHandle;
  readonly #options: SourceRegistryOptions;
  readonly #sources = new Map<string, RegisteredSource>();
  /** Descriptor URL -> version, as last seen (bounded). */
  readonly #descriptors = new Map<string, string>();
  #loaded = false;
  readonly ready: Promise<void>;

  constructor(db: TileDbHandle, options: SourceRegistryOptions) {
    this.#db = db;
    this.#options = options;
    this.ready = this.#load();
  }

  /** False until the persisted registrations are read: the route then waits for `ready`. */
  get loaded(): boolean {
    return this.#loaded;
  }

  get size(): number {
    return this.#sources.size;
  }

  get(id: string): RegisteredSource | undefined {
    return this.#sources.get(id);
  }

  list(): Array<{ id: string; tileRoot: string; version: string; companion: boolean }> {
    return [...this.#sources.values()].map((s) => ({ id: s.spec.id, tileRoot: s.urls.root, version: s.version, companion: !!s.spec.companion }));
  }

  /** Registers (or re-registers) a source; resolves once its version is known and it is persisted. */
  async register(raw: unknown): Promise<RegisteredSource> {
    const spec = parseTileSourceSpec(raw);
    spec.descriptorUrl ??= this.#descriptorOf(spec.tileRoot);
    const urls = tileUrlsOf(spec);
    const old = this.#sources.get(spec.id);
    const descriptorVersion = spec.descriptorUrl ? await this.#descriptorVersion(spec) : undefined;
    // The key namespace changes only on evidence the tiles changed: a new explicit version, or a descriptor that
    // changed since it was last seen. A descriptor seen for the first time (the page was not controlled when it
    // fetched it before) keeps the tiles stored so far; they are revalidated by age meanwhile.
    let version = spec.version ?? old?.version ?? descriptorVersion ?? 'inline';
    if (!spec.version && old?.descriptorVersion && descriptorVersion && old.descriptorVersion !== descriptorVersion) version = descriptorVersion;
    const source: RegisteredSource = { spec, urls, version, headers: old?.headers ?? [], ...(descriptorVersion ?? old?.descriptorVersion ? { descriptorVersion: descriptorVersion ?? old?.descriptorVersion } : {}) };
    this.#set(source);
    if (old && old.version !== version) this.#options.versionDidChange(spec.id, old.version);
    await this.#persist(source);
    return source;
  }

  /** The tile `href` names, by the source with the longest matching tile root. */
  match(href: string): TileMatch | null {
    let best: { source: RegisteredSource; tile: TileAddress } | null = null;
    for (const source of this.#sources.values()) {
      if (!href.startsWith(source.urls.root) || (best && best.source.urls.root.length >= source.urls.root.length)) continue;
      const tile = source.urls.parse(href);
      if (tile) best = { source, tile };
    }
    if (!best) return null;
    const { level, x, y } = best.tile;
    return { kind: 'tile-match', source: best.source.spec.id, own: false, level, x, y, ext: best.source.spec.pyramid.format, url: href };
  }

  /** The identity of a request the route matched, under the source's current version. */
  identify(match: TileMatch): TileIdentity | undefined {
    const source = this.#sources.get(match.source);
    return source && identify(match, source.version);
  }

  /** The identity of a tile nobody asked for yet (prefetch): its URL as the page would ask for it. */
  identityOf(id: string, tile: TileAddress): TileIdentity | undefined {
    const source = this.#sources.get(id);
    if (!source) return undefined;
    return identify({ source: id, ...tile, ext: source.spec.pyramid.format, url: source.urls.url(tile) }, source.version);
  }

  rememberHeaders(id: string, headers: Array<[string, string]>): void {
    const source = this.#sources.get(id);
    if (source) source.headers = headers;
  }

  /** Whether a request looks like a tile descriptor (`.dzi`, `ImageProperties.xml`, `info.json`) or is one a source names. */
  isDescriptor(url: URL): boolean {
    return DESCRIPTOR_PATH.test(url.pathname) || this.#descriptors.has(url.href);
  }

  /**
   * Network-first for a descriptor: the answer goes to the page untouched,
   * and its version is remembered; sources opened from it switch to it (the
   * old version's tiles are freed).
   */
  async handleDescriptor(request: Request): Promise<Response> {
    const response = await this.#options.fetch(request);
    if (!response.ok || response.type === 'opaque') return response;
    const version = await descriptorVersion(response.clone());
    this.#rememberDescriptor(request.url, version);
    for (const source of this.#sources.values()) {
      if (source.spec.descriptorUrl !== request.url || source.descriptorVersion === version) continue;
      const changed = source.descriptorVersion !== undefined;
      source.descriptorVersion = version;
      if (changed) {
        const old = source.version;
        source.version = version;
        this.#options.versionDidChange(source.spec.id, old);
      }
      await this.#persist(source);
    }
    return response;
  }

  /**
   * The descriptor a page fetched for a tile root, when the page could not
   * say (OpenSeadragon's sources forget their descriptor's URL): `scan.dzi`
   * or `scan.xml` for `scan_files/`, `info.json` or `ImageProperties.xml` in
   * the tile root itself.
   */
  #descriptorOf(tileRoot: string): string | undefined {
    for (const url of [...this.#descriptors.keys()].reverse()) {
      const bare = url.replace(/[?#].*$/, '');
      if (bare.replace(/\.[^/.]*$/, '_files/') === tileRoot || bare.replace(/[^/]*$/, '') === tileRoot) return url;
    }
    return undefined;
  }

  async #descriptorVersion(spec: TileSourceSpec): Promise<string> {
    const url = spec.descriptorUrl!;
    const seen = this.#descriptors.get(url);
    if (seen) return seen;
    try {
      const response = await this.#options.fetch(new Request(url, { mode: 'cors', credentials: spec.credentials, cache: 'no-cache', signal: AbortSignal.timeout(this.#options.timeoutMs) }));
      if (response.ok) {
        const version = await descriptorVersion(response);
        this.#rememberDescriptor(url, version);
        return version;
      }
    } catch (error) {
      this.#options.onError?.('descriptor', error);
    }
    // Unreadable now: keep what the last registration knew rather than inventing a version.
    return this.#sources.get(spec.id)?.version ?? 'inline';
  }

  #rememberDescriptor(url: string, version: string): void {
    this.#descriptors.delete(url);
    this.#descriptors.set(url, version);
    if (this.#descriptors.size > MAX_DESCRIPTORS) this.#descriptors.delete(this.#descriptors.keys().next().value!);
  }

  #set(source: RegisteredSource): void {
    this.#sources.delete(source.spec.id);
    this.#sources.set(source.spec.id, source);
    if (this.#sources.size > (this.#options.maxSources ?? 256)) this.#sources.delete(this.#sources.keys().next().value!);
  }

  async #persist(source: RegisteredSource): Promise<void> {
    try {
      const db = await this.#db.get();
      const record: SourceMeta = { key: `source:${source.spec.id}`, spec: source.spec, version: source.version, ...(source.descriptorVersion ? { descriptorVersion: source.descriptorVersion } : {}) };
      await db?.put('meta', record);
    } catch (error) {
      this.#options.onError?.('meta', error);
    }
  }

  async #load(): Promise<void> {
    try {
      const db = await this.#db.get();
      const records = (await db?.getAll('meta', IDBKeyRange.bound('source:', 'source:\uffff'))) ?? [];
      for (const record of records as SourceMeta[]) {
        if (this.#sources.has(record.spec.id)) continue; // registered meanwhile: newer
        try {
          const spec = parseTileSourceSpec(record.spec);
          this.#set({ spec, urls: tileUrlsOf(spec), version: record.version, headers: [], ...(record.descriptorVersion ? { descriptorVersion: record.descriptorVersion } : {}) });
        } catch (error) {
          this.#options.onError?.('meta', error);
        }
      }
    } catch (error) {
      this.#options.onError?.('meta', error);
    } finally {
      this.#loaded = true;
    }
  }
}

/** `d-` and 16 hex digits of SHA-256 over ETag and Last-Modified, or over the body when the server sends neither. */
export async function descriptorVersion(response: Response): Promise<string> {
  const etag = response.headers.get('ETag');
  const modified = response.headers.get('Last-Modified');
  const input = etag || modified ? new TextEncoder().encode(`${etag ?? ''}|${modified ?? ''}`) : new Uint8Array(await response.arrayBuffer());
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', input));
  return `d-${[...digest.slice(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

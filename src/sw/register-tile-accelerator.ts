/**
 * `registerTileAccelerator(options)`: the accelerator inside an existing
 * service worker, Workbox or not. It registers, on workbox-routing's default
 * router (which adds its own fetch listener, so a non-Workbox worker needs
 * nothing else):
 *   - tile URLs -> TileAcceleratorStrategy: the own tile API on this origin
 *     (`{apiPrefix}{dataset}/{z}/{x}/{y}.{ext}`) and every registered source,
 *     on any origin (a worker sees all fetches of the pages it controls);
 *   - dataset info -> network first, remembering each dataset's version;
 *   - tile descriptors (`.dzi`, `info.json`, `ImageProperties.xml`) -> network
 *     first, versioning the sources opened from them;
 *   - page batches (`POST {apiPrefix}{dataset}/batch` with `X-Tile-Batch: page`)
 *     -> answered from the tiers, misses through the batch client (page-batch-route.ts);
 *   - `/__tile-accelerator/stats|clear` (unless `control: false`);
 * and one message listener for view reports (prefetch, drop-on-leave), source
 * registrations, offline regions (regions.ts) and stats/clear messages. Routes registered earlier by the
 * host win, so register the accelerator first if the host has a catch-all route.
 */
import { registerRoute } from 'workbox-routing';
import { parseRegisterSources, sourcesRegisteredMessage, type SourceResult } from '../shared/source-protocol.ts';
import { isValidDatasetName } from '../shared/tile-key.ts';
import { Accelerator } from './accelerator.ts';
import { registerConfiguredSources, type ConfiguredSource, type Unaccelerated } from './configured-sources.ts';
import { CONTROL_PREFIX, answerMessage, handleControl } from './control.ts';
import { type AcceleratorOptions } from './options.ts';
import { handlePageBatch, isPageBatch } from './page-batch-route.ts';
import { Prefetcher, type PrefetcherOptions } from './prefetcher.ts';
import { RegionManager } from './regions.ts';
import { TileAcceleratorStrategy } from './tile-accelerator-strategy.ts';

declare const self: ServiceWorkerGlobalScope;

export interface RegisterTileAcceleratorOptions extends Partial<AcceleratorOptions> {
  /** Prefetch tuning, or false for none (default on, see docs/prefetch.md). */
  prefetch?: PrefetcherOptions | false;
  /** Serve `/__tile-accelerator/stats` and `clear` (default true). */
  control?: boolean;
  /** Tile sources to accelerate without any page registering them: descriptor URLs, or `{ descriptorUrl, companion }`. */
  sources?: ReadonlyArray<string | ConfiguredSource>;
}

export interface RegisteredTileAccelerator {
  strategy: TileAcceleratorStrategy;
  accelerator: Accelerator;
  prefetcher: Prefetcher;
  /** Offline regions (pinned areas and levels), driven by the page's region messages. */
  regions: RegionManager;
  /** Settles once the configured `sources` are registered, with those that could not be. */
  configured: Promise<{ unaccelerated: Unaccelerated[] }>;
}

const INFO_PATH = /^([^/]+)\/info$/;

export function registerTileAccelerator(options: RegisterTileAcceleratorOptions = {}): RegisteredTileAccelerator {
  const { prefetch, control = true, sources = [], ...accelerated } = options;
  const accelerator = new Accelerator(accelerated);
  const prefetcher = new Prefetcher(accelerator, prefetch ?? {});
  accelerator.reports.prefetch = () => prefetcher.snapshot();
  const regions = new RegionManager(accelerator);
  accelerator.reports.regions = () => regions.snapshot();
  const strategy = new TileAcceleratorStrategy({ accelerator, plugins: [prefetcher.plugin] });
  const { apiPrefix } = accelerator.options;
  const sameOrigin = (url: URL) => url.origin === self.location.origin;
  const ownInfo = (url: URL) => sameOrigin(url) && url.pathname.startsWith(apiPrefix) && INFO_PATH.test(url.pathname.slice(apiPrefix.length));

  registerRoute(({ url, request }) => {
    if (request.method !== 'GET' || request.mode === 'navigate') return false;
    const match = accelerator.match(url);
    if (match) return match; // handed to the strategy as `params`: the URL is parsed once
    // Until the registered sources are read (a restarted worker), images and fetches wait for them in the strategy.
    return !accelerator.sources.loaded && (request.destination === 'image' || request.destination === '');
  }, strategy);
  registerRoute(
    ({ url, request }) => request.method === 'GET' && ownInfo(url),
    ({ url, request }) => {
      const name = decodeURIComponent(INFO_PATH.exec(url.pathname.slice(apiPrefix.length))![1]!);
      // A bad name is the companion's to refuse, with its own error message.
      return isValidDatasetName(name) ? accelerator.versions.handleInfo(request, name) : fetch(request);
    },
  );
  registerRoute(
    ({ url, request }) => request.method === 'GET' && request.mode !== 'navigate' && !ownInfo(url) && accelerator.sources.isDescriptor(url),
    ({ request }) => accelerator.sources.handleDescriptor(request),
  );
  registerRoute(
    ({ url, request }) => isPageBatch(accelerator, url, request),
    ({ request, event }) => handlePageBatch(accelerator, request, event),
    'POST',
  );
  if (control) {
    for (const method of ['GET', 'POST'] as const) {
      registerRoute(({ url }) => sameOrigin(url) && url.pathname.startsWith(CONTROL_PREFIX), ({ request }) => handleControl(accelerator, request), method);
    }
  }

  self.addEventListener('message', (event) => {
    let work: Promise<void> | null;
    try {
      work = regions.handleMessage(event) ?? prefetcher.handleMessage(event.data, self.clients) ?? registerSources(accelerator, event);
    } catch (error) {
      console.warn('tile-accelerator:', error);
      return;
    }
    if (!work && control) work = answerMessage(accelerator, event);
    event.waitUntil((work ?? Promise.resolve()).catch((error: unknown) => console.warn('tile-accelerator: message failed', error)));
  });
  const fetchEdge = (request: Request) => fetch(request);
  const configured = registerConfiguredSources(accelerator.sources, sources, fetchEdge).then((unaccelerated) => ({ unaccelerated }));
  return { strategy, accelerator, prefetcher, regions, configured };
}

/** A page's `register-sources` message: registers each spec and answers with one result per spec on the message's port. */
function registerSources(accelerator: Accelerator, event: ExtendableMessageEvent): Promise<void> | null {
  const message = parseRegisterSources(event.data);
  if (!message) return null;
  return (async () => {
    const results: SourceResult[] = await Promise.all(
      message.sources.map(async (raw): Promise<SourceResult> => {
        const id = String((raw as { id?: unknown } | null)?.id ?? (raw as { tileRoot?: unknown } | null)?.tileRoot ?? '?');
        try {
          const source = await accelerator.sources.register(raw);
          return { id: source.spec.id, accepted: true };
        } catch (error) {
          return { id, accepted: false, reason: error instanceof Error ? error.message : String(error) };
        }
      }),
    );
    const reply = sourcesRegisteredMessage(results);
    const port = event.ports[0];
    if (port) port.postMessage(reply);
    else (event.source as Client | null)?.postMessage(reply);
  })();
}

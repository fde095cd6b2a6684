/**
 * `registerTileAccelerator(options)`: the accelerator inside an existing
 * service worker, Workbox or not. It registers, on workbox-routing's default
 * router (which adds its own fetch listener, so a non-Workbox worker needs
 * nothing else):
 *   - tile URLs (`{apiPrefix}{dataset}/{z}/{x}/{y}.{ext}`) -> TileAcceleratorStrategy;
 *   - dataset info -> network first, remembering each dataset's version;
 *   - `/__tile-accelerator/stats|clear` (unless `control: false`);
 * and one message listener for view reports (prefetch, drop-on-leave) and
 * stats/clear messages. Routes registered earlier by the host win, so register
 * the accelerator first if the host has a catch-all route.
 */
import { registerRoute } from 'workbox-routing';
import { isValidDatasetName, matchTilePath } from '../shared/tile-key.ts';
import { Accelerator } from './accelerator.ts';
import { CONTROL_PREFIX, answerMessage, handleControl } from './control.ts';
import { DEFAULT_OPTIONS, type AcceleratorOptions } from './options.ts';
import { Prefetcher, type PrefetcherOptions } from './prefetcher.ts';
import { TileAcceleratorStrategy } from './tile-accelerator-strategy.ts';

declare const self: ServiceWorkerGlobalScope;

export interface RegisterTileAcceleratorOptions extends Partial<AcceleratorOptions> {
  /** Prefetch tuning, or false for none (default on, see docs/prefetch.md). */
  prefetch?: PrefetcherOptions | false;
  /** Serve `/__tile-accelerator/stats` and `clear` (default true). */
  control?: boolean;
}

export interface RegisteredTileAccelerator {
  strategy: TileAcceleratorStrategy;
  accelerator: Accelerator;
  prefetcher: Prefetcher;
}

const INFO_PATH = /^([^/]+)\/info$/;

export function registerTileAccelerator(options: RegisterTileAcceleratorOptions = {}): RegisteredTileAccelerator {
  const { prefetch, control = true, ...accelerated } = options;
  const accelerator = new Accelerator({ ...DEFAULT_OPTIONS, ...accelerated });
  const prefetcher = new Prefetcher(accelerator, prefetch ?? {});
  accelerator.reports.prefetch = () => prefetcher.snapshot();
  const strategy = new TileAcceleratorStrategy({ accelerator, plugins: [prefetcher.plugin] });
  const { apiPrefix } = accelerator.options;
  const sameOrigin = (url: URL) => url.origin === self.location.origin;

  registerRoute(({ url, request }) => request.method === 'GET' && sameOrigin(url) && matchTilePath(url.pathname, apiPrefix) !== null, strategy);
  registerRoute(
    ({ url, request }) => request.method === 'GET' && sameOrigin(url) && url.pathname.startsWith(apiPrefix) && INFO_PATH.test(url.pathname.slice(apiPrefix.length)),
    ({ url, request }) => {
      const name = decodeURIComponent(INFO_PATH.exec(url.pathname.slice(apiPrefix.length))![1]!);
      // A bad name is the companion's to refuse, with its own error message.
      return isValidDatasetName(name) ? accelerator.versions.handleInfo(request, name) : fetch(request);
    },
  );
  if (control) {
    for (const method of ['GET', 'POST'] as const) {
      registerRoute(({ url }) => sameOrigin(url) && url.pathname.startsWith(CONTROL_PREFIX), ({ request }) => handleControl(accelerator, request), method);
    }
  }

  self.addEventListener('message', (event) => {
    let work: Promise<void> | null;
    try {
      work = prefetcher.handleMessage(event.data, self.clients);
    } catch (error) {
      console.warn('tile-accelerator:', error);
      return;
    }
    if (!work && control) work = answerMessage(accelerator, event);
    event.waitUntil((work ?? Promise.resolve()).catch((error: unknown) => console.warn('tile-accelerator: message failed', error)));
  });
  return { strategy, accelerator, prefetcher };
}

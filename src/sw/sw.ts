/// <reference lib="webworker" />
/**
 * The service worker entry (built as /sw.js, a module worker): routes only.
 * Tile URLs go to the TileAcceleratorStrategy, dataset info goes network-first
 * through the dataset versions, `/__tile-accelerator/*` is the developer
 * surface; everything else is left alone. Options come from the script URL.
 */
import { clientsClaim } from 'workbox-core';
import { registerRoute } from 'workbox-routing';
import { isValidDatasetName, matchTilePath } from '../shared/tile-key.ts';
import { CONTROL_PREFIX, answerMessage, handleControl } from './control.ts';
import { optionsFromSearch } from './options.ts';
import { TileAcceleratorStrategy } from './tile-accelerator-strategy.ts';

declare const self: ServiceWorkerGlobalScope;

// Take over at once, so the first visit is already accelerated.
self.skipWaiting();
clientsClaim();

const strategy = new TileAcceleratorStrategy({ accelerated: optionsFromSearch(self.location.search) });
const accelerator = strategy.accelerator;
const { apiPrefix } = accelerator.options;
const sameOrigin = (url: URL) => url.origin === self.location.origin;
const INFO_PATH = /^([^/]+)\/info$/;

registerRoute(({ url, request }) => request.method === 'GET' && sameOrigin(url) && matchTilePath(url.pathname, apiPrefix) !== null, strategy);

registerRoute(
  ({ url, request }) => request.method === 'GET' && sameOrigin(url) && url.pathname.startsWith(apiPrefix) && INFO_PATH.test(url.pathname.slice(apiPrefix.length)),
  ({ url, request }) => {
    const name = decodeURIComponent(INFO_PATH.exec(url.pathname.slice(apiPrefix.length))![1]!);
    // A bad name is the companion's to refuse, with its own error message.
    return isValidDatasetName(name) ? accelerator.versions.handleInfo(request, name) : fetch(request);
  },
);

for (const method of ['GET', 'POST'] as const) {
  registerRoute(({ url }) => sameOrigin(url) && url.pathname.startsWith(CONTROL_PREFIX), ({ request }) => handleControl(accelerator, request), method);
}

self.addEventListener('message', (event) => {
  event.waitUntil(answerMessage(accelerator, event).catch((error: unknown) => console.warn('tile-accelerator: message failed', error)));
});

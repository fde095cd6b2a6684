/// <reference lib="webworker" />
/**
 * The service worker entry (built as /sw.js, a module worker). It routes the
 * tile API's tile URLs to the accelerator and leaves everything else alone.
 */
import { clientsClaim } from 'workbox-core';
import { registerRoute } from 'workbox-routing';
import { matchTilePath } from '../shared/tile-key.ts';
import { TileHandler } from './tile-handler.ts';

declare const self: ServiceWorkerGlobalScope;

// Take over at once, so the first visit is already accelerated.
self.skipWaiting();
clientsClaim();

const handler = new TileHandler();

registerRoute(
  ({ url, request }) => request.method === 'GET' && url.origin === self.location.origin && matchTilePath(url.pathname) !== null,
  ({ request, event }) => handler.handle(request, event as FetchEvent),
);

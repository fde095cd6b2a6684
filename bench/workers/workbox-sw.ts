/// <reference lib="webworker" />
/**
 * Variant 2 of the bench: the worker a developer would reach for first. A
 * Workbox CacheFirst route over the tile URLs with an ExpirationPlugin, and
 * the usual skipWaiting/clientsClaim so it controls the first visit too. Built
 * by Vite as /workbox-sw.js (its own entry, scope `/`).
 */
import { clientsClaim } from 'workbox-core';
import { ExpirationPlugin } from 'workbox-expiration';
import { registerRoute } from 'workbox-routing';
import { CacheFirst } from 'workbox-strategies';

declare const self: ServiceWorkerGlobalScope;

self.skipWaiting();
clientsClaim();

registerRoute(
  ({ url, request }) =>
    request.method === 'GET' && url.origin === self.location.origin && /^\/api\/tiles\/[^/]+\/\d+\/\d+\/\d+\.\w+$/.test(url.pathname),
  new CacheFirst({
    cacheName: 'bench-tiles',
    plugins: [new ExpirationPlugin({ maxEntries: 5000, maxAgeSeconds: 7 * 24 * 3600 })],
  }),
);

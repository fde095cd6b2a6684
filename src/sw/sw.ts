/// <reference lib="webworker" />
/**
 * The service worker entry (built as /sw.js, a module worker): the
 * accelerator as any host worker would add it (register-tile-accelerator.ts),
 * with options from the script URL (`/sw.js?prefetch=off&quietMs=2`).
 */
import { clientsClaim } from 'workbox-core';
import { optionsFromSearch } from './options.ts';
import { registerTileAccelerator } from './register-tile-accelerator.ts';

declare const self: ServiceWorkerGlobalScope;

// Take over at once, so the first visit is already accelerated.
self.skipWaiting();
clientsClaim();

registerTileAccelerator({
  ...optionsFromSearch(self.location.search),
  prefetch: new URLSearchParams(self.location.search).get('prefetch') === 'off' ? false : {},
});

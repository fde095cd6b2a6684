/**
 * The drop-in APIs from the outside: e2e/fixtures/minimal is a page and a
 * plain (non-Workbox) service worker that import only `tile-accelerator/client`
 * and `tile-accelerator/sw`, built by Vite against the package's `exports`
 * (the built `lib/`). Counted at the companion: its tiles arrive in batches.
 */
import { execSync } from 'node:child_process';
import type { Page } from '@playwright/test';
import { expect, startRecordingCompanion, test, type RecordingCompanion } from './support/viewer-fixtures.ts';

import type OpenSeadragon from 'openseadragon';
import type { TileAccelerator } from '../src/client/enable-accelerator.ts';
import type { loadViewportTiles } from '../src/client/load-viewport-tiles.ts';

// What e2e/fixtures/minimal/main.ts puts on the window (that page is built separately).
declare global {
  interface Window {
    minimal: { viewer: OpenSeadragon.Viewer; accelerator?: TileAccelerator; fullyLoaded: boolean; loadViewportTiles: typeof loadViewportTiles };
  }
}

let companion: RecordingCompanion;

test.beforeAll(async () => {
  test.setTimeout(180_000);
  execSync('npm run --silent build:lib && npx vite build -c e2e/fixtures/minimal/vite.config.ts', { stdio: 'inherit', timeout: 170_000 });
  companion = await startRecordingCompanion('.tmp/minimal');
});

test.afterAll(async () => {
  await companion?.close();
});

async function openMinimal(page: Page): Promise<void> {
  await page.goto(`${companion.url}/`);
  await page.waitForFunction(() => window.minimal?.accelerator?.worker === 'controlled' && window.minimal.fullyLoaded, null, { timeout: 30_000 });
}

test('a minimal page using only the public entry points is accelerated', async ({ page }) => {
  await openMinimal(page);
  const fromWorker: boolean[] = [];
  page.on('response', (r) => {
    if (/\/api\/tiles\/sample\/\d+\/\d+\/\d+\.jpg$/.test(r.url())) fromWorker.push(r.fromServiceWorker());
  });
  const before = companion.stats.dataset('sample');
  await page.evaluate(() => {
    window.minimal.fullyLoaded = false;
    window.minimal.viewer.viewport.zoomBy(4, undefined, true);
  });
  await page.waitForFunction(() => window.minimal.fullyLoaded);
  const after = companion.stats.dataset('sample');

  expect(after.batchRequests - before.batchRequests).toBeGreaterThan(0);
  expect(after.tileRequests - before.tileRequests).toBe(0);
  expect(fromWorker.length).toBeGreaterThan(10);
  expect(fromWorker.every(Boolean)).toBe(true);
  // The view reports reached the worker: it prefetched around the settled view.
  await expect.poll(async () => (await page.evaluate(async () => (await fetch('/__tile-accelerator/stats')).json())).prefetch.runs).toBeGreaterThan(0);
});

test('loadViewportTiles returns the stored bytes for present tiles and null for absent ones, in both formats', async ({ page }) => {
  await openMinimal(page);
  const result = await page.evaluate(async () => {
    const digest = async (blob: Blob) => [...new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()))].join(',');
    const keys = ['0/0/0.jpg', '2/1/1.jpg', '2/3/3.jpg', '2/9/9.jpg'];
    const expected = await Promise.all(keys.slice(0, 3).map(async (k) => digest(await (await fetch(`/api/tiles/sample/${k}`)).blob())));
    const out: Record<string, { matches: boolean[]; absent: boolean; type: string }> = {};
    for (const format of ['json', 'binary'] as const) {
      const tiles = await window.minimal.loadViewportTiles('sample', keys, { format });
      const present = await Promise.all(keys.slice(0, 3).map(async (k, i) => (await digest(tiles.get(k)!)) === expected[i]));
      out[format] = { matches: present, absent: tiles.get('2/9/9.jpg') === null, type: tiles.get('0/0/0.jpg')!.type };
    }
    return out;
  });
  for (const format of ['json', 'binary']) {
    expect(result[format]).toEqual({ matches: [true, true, true], absent: true, type: 'image/jpeg' });
  }
});

/**
 * Playwright fixtures: a real companion on 127.0.0.1 (a free port per test
 * worker) serving the built page and the sample tiles, and helpers that read
 * its counters, so tests assert on what reached the server, never on timing.
 */
import { test as base, expect, type Page } from '@playwright/test';
import { LocalFolderSource } from '../../src/server/sources/local-folder.ts';
import { startCompanion, type RunningCompanion } from '../../src/server/node-server.ts';
import type { DatasetCounters } from '../../src/server/stats.ts';
import { IN_RUNNER } from './in-runner.ts';

export const TILES_DIR = process.env.TILES_DIR ?? 'data/tiles';

interface Fixtures {
  companion: RunningCompanion;
}

export const test = base.extend<{ counters: (dataset?: string) => DatasetCounters }, Fixtures>({
  companion: [
    async ({}, use) => {
      const companion = await startCompanion({ source: new LocalFolderSource(TILES_DIR), staticDir: 'dist', ...IN_RUNNER });
      await use(companion);
      await companion.close();
    },
    { scope: 'worker' },
  ],
  baseURL: async ({ companion }, use) => use(companion.url),
  counters: async ({ companion }, use) => use((dataset = 'sample') => companion.stats.dataset(dataset)),
});

export { expect };

/** Waits until OpenSeadragon reports every tile of the current view loaded. */
export async function waitForFullyLoaded(page: Page): Promise<void> {
  await page.waitForFunction(() => window.demo?.fullyLoaded === true, null, { timeout: 30_000 });
}

/**
 * Zooms by `factor` around the centre at once (no animation, so the tiles a
 * view needs do not depend on frame timing), and waits for the view to load.
 */
export async function zoomBy(page: Page, factor: number): Promise<void> {
  await page.evaluate((f) => {
    window.demo.fullyLoaded = false;
    const viewport = window.demo.viewer!.viewport;
    viewport.zoomBy(f, undefined, true);
    viewport.applyConstraints(true);
  }, factor);
  await waitForFullyLoaded(page);
}

/** Collects the tile responses a page sees, with the headers the worker set. */
export function recordTileResponses(page: Page): Array<{ url: string; source: string | null; fromWorker: boolean }> {
  const seen: Array<{ url: string; source: string | null; fromWorker: boolean }> = [];
  page.on('response', (response) => {
    if (!new URL(response.url()).pathname.startsWith('/api/tiles/') || !/\.\w+$/.test(response.url())) return;
    seen.push({ url: response.url(), source: response.headers()['x-tile-source'] ?? null, fromWorker: response.fromServiceWorker() });
  });
  return seen;
}

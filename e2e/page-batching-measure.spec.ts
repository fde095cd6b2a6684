/**
 * Not a test: the measurement behind page batching's `decode` default
 * (docs/worker.md, "Page-side batching"). Run with
 *   MEASURE=1 npx playwright test e2e/page-batching-measure.spec.ts
 * Each configuration gets a fresh companion whose source waits `UPSTREAM_MS`
 * per tile, a browser context where the worker is already installed, and the
 * same session: the home view, two zooms by 2 and a pan (at once, no
 * animation), then the same again after a reload. Reported: medians over
 * `REPEAT` sessions of the time to fully loaded and of the main thread's
 * long-task time (what decoding on the main thread would show up as).
 */
import type { Page } from '@playwright/test';
import { LocalFolderSource } from '../src/server/sources/local-folder.ts';
import { test } from './support/fixtures.ts';
import { slowObjectSource, startOwnCompanion } from './support/worker.ts';

const UPSTREAM_MS = Number(process.env.UPSTREAM_MS ?? 30);
const REPEAT = Number(process.env.REPEAT ?? 3);

const CONFIGS: Array<[string, string]> = [
  ['per-tile worker path (pagebatch=off)', 'pagebatch=off'],
  ['page batches, createImageBitmap', 'pagebatch=on&pagebatch.decode=bitmap'],
  ['page batches, Blob to OSD', 'pagebatch=on&pagebatch.decode=blob'],
];


async function settle(page: Page): Promise<void> {
  await page.waitForFunction(() => window.demo?.viewer?.world.getItemAt(0)?.getFullyLoaded() === true, null, { timeout: 30_000 });
}

/** Home view plus three view changes; ms to fully loaded each, and long-task ms over all of them. */
async function session(page: Page, load: () => Promise<unknown>): Promise<{ ms: number; longTaskMs: number }> {
  await page.evaluate(() => {
    const w = window as unknown as { longTaskMs: number };
    w.longTaskMs = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) w.longTaskMs += entry.duration;
    }).observe({ type: 'longtask' });
  }).catch(() => undefined);
  const t0 = Date.now();
  await load();
  await settle(page);
  let ms = Date.now() - t0;
  await page.evaluate(() => {
    const w = window as unknown as { longTaskMs: number };
    w.longTaskMs = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) w.longTaskMs += entry.duration;
    }).observe({ type: 'longtask' });
  });
  for (const change of ['zoom', 'zoom', 'pan'] as const) {
    const started = await page.evaluate((what) => {
      const viewport = window.demo.viewer!.viewport;
      const t = performance.now();
      if (what === 'zoom') viewport.zoomBy(2, undefined, true);
      else viewport.panBy(viewport.getBounds().getTopRight().minus(viewport.getBounds().getTopLeft()).times(0.5), true);
      viewport.applyConstraints(true);
      return t;
    }, change);
    await settle(page);
    ms += (await page.evaluate(() => performance.now())) - started;
  }
  return { ms, longTaskMs: await page.evaluate(() => (window as unknown as { longTaskMs: number }).longTaskMs) };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

test.describe('measure page batching', () => {
  test.skip(!process.env.MEASURE, 'set MEASURE=1 to measure');
  test.setTimeout(600_000);

  test('decode and path', async ({ browser }) => {
    const rows: Record<string, Array<{ cold: number; coldLong: number; warm: number; warmLong: number }>> = {};
    for (let i = 0; i < REPEAT; i++) {
      // Interleaved, so no configuration always runs on a warmer machine.
      for (const [name, query] of CONFIGS) {
        const own = await startOwnCompanion({ source: slowObjectSource(new LocalFolderSource('data/tiles'), UPSTREAM_MS) });
        const context = await browser.newContext();
        const page = await context.newPage();
        try {
          // The worker installs on a first visit to the other dataset; the measured one starts cold.
          await page.goto(`${own.url}/?drawer=canvas&prefetch=off&stats=off&dataset=mixed&${query}`);
          await settle(page);
          const url = `${own.url}/?drawer=canvas&prefetch=off&stats=off&dataset=sample&${query}`;
          const cold = await session(page, () => page.goto(url));
          const warm = await session(page, () => page.reload());
          (rows[name] ??= []).push({ cold: cold.ms, coldLong: cold.longTaskMs, warm: warm.ms, warmLong: warm.longTaskMs });
        } finally {
          await context.close();
          await own.close();
        }
      }
    }
    for (const [name, runs] of Object.entries(rows)) {
      const pick = (k: 'cold' | 'coldLong' | 'warm' | 'warmLong') => Math.round(median(runs.map((r) => r[k])));
      console.log(JSON.stringify({ name, coldMs: pick('cold'), coldLongTaskMs: pick('coldLong'), warmMs: pick('warm'), warmLongTaskMs: pick('warmLong'), runs: runs.length }));
    }
  });
});

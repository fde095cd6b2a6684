/**
 * Not a test: the measurements behind the worker's defaults and the demo's
 * OpenSeadragon settings (docs/worker.md). Run with
 *   MEASURE=1 npx playwright test e2e/worker-measure.spec.ts
 * Each configuration gets a fresh companion whose source waits `UPSTREAM_MS`
 * per tile (a nearby R2), a cold browser context, and the same session: the
 * home view, two animated zooms by 2, and an animated pan.
 */
import type { Page } from '@playwright/test';
import { LocalFolderSource } from '../src/server/sources/local-folder.ts';
import type { ObjectSource } from '../src/server/object-source.ts';
import { test } from './support/fixtures.ts';
import { startOwnCompanion, statsByMessage } from './support/worker.ts';

const UPSTREAM_MS = Number(process.env.UPSTREAM_MS ?? 30);

const CONFIGS: Array<[string, string]> = [
  ['OSD defaults (1 per frame), window 1/30 ms', 'osd.maxTilesPerFrame=1&osd.imageLoaderLimit=0'],
  ['maxTilesPerFrame 10', 'osd.maxTilesPerFrame=10&osd.imageLoaderLimit=0'],
  ['maxTilesPerFrame 50', 'osd.maxTilesPerFrame=50&osd.imageLoaderLimit=0'],
  ['maxTilesPerFrame 50, imageLoaderLimit 6', 'osd.maxTilesPerFrame=50&osd.imageLoaderLimit=6'],
  ['window: next macrotask (quiet 0)', 'osd.maxTilesPerFrame=50&sw.quietMs=0'],
  ['window: quiet 1 ms', 'osd.maxTilesPerFrame=50&sw.quietMs=1'],
  ['window: quiet 4 ms', 'osd.maxTilesPerFrame=50&sw.quietMs=4'],
  ['1 concurrent batch', 'osd.maxTilesPerFrame=50&sw.maxConcurrentBatches=1'],
  ['4 concurrent batches', 'osd.maxTilesPerFrame=50&sw.maxConcurrentBatches=4'],
  ['no batching (per-tile fetches)', 'osd.maxTilesPerFrame=50&sw.batching=off'],
];

/** Every tile read takes `ms` longer (descriptors stay fast, as before). */
function slow(source: ObjectSource, ms: number): ObjectSource {
  return {
    kind: `${source.kind}+${ms}ms`,
    getObject: async (key, signal, dataset) => {
      if (!key.endsWith('.json')) await new Promise((resolve) => setTimeout(resolve, ms));
      return source.getObject(key, signal, dataset);
    },
  };
}

async function settle(page: Page): Promise<void> {
  await page.waitForFunction(() => window.demo?.viewer?.world.getItemAt(0)?.getFullyLoaded() === true, null, { timeout: 30_000 });
}

/** Runs one viewport change (animated or at once) and returns ms until every tile of the new view is drawn. */
async function step(page: Page, change: 'zoom' | 'pan', animate: boolean): Promise<number> {
  const started = await page.evaluate(
    ([what, animate]) => {
      const viewer = window.demo.viewer!;
      const t0 = performance.now();
      const done = new Promise<number>((resolve) => (animate ? viewer.addOnceHandler('animation-finish', () => resolve(t0)) : resolve(t0)));
      if (what === 'zoom') viewer.viewport.zoomBy(2, undefined, !animate);
      else {
        const centre = viewer.viewport.getCenter();
        centre.x += 0.15;
        centre.y += 0.1;
        viewer.viewport.panTo(centre, !animate);
      }
      viewer.viewport.applyConstraints(!animate);
      return done;
    },
    [change, animate] as const,
  );
  await settle(page);
  return (await page.evaluate(() => performance.now())) - started;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const REPEAT = Number(process.env.REPEAT ?? 3);

test.describe('measure', () => {
  test.skip(!process.env.MEASURE, 'set MEASURE=1 to measure');
  test.setTimeout(600_000);

  for (const [name, query] of CONFIGS.filter(([n]) => new RegExp(process.env.ONLY ?? '.').test(n))) {
    test(name, async ({ browser }) => {
      const rows: Array<Record<string, number>> = [];
      for (const animate of [...Array<boolean>(REPEAT).fill(false), true]) {
        const own = await startOwnCompanion({ source: slow(new LocalFolderSource('data/tiles'), UPSTREAM_MS) });
        const context = await browser.newContext();
        const page = await context.newPage();
        try {
          // Install the worker first, so the measured session is entirely under it.
          await page.goto(`${own.url}/?drawer=canvas&pagebatch=off&prefetch=off&${query}`);
          await settle(page);
          await page.evaluate(() => fetch('/__tile-accelerator/clear', { method: 'POST' }));
          const before = own.stats.dataset('sample');
          const t0 = Date.now();
          await page.reload();
          await settle(page);
          const home = Date.now() - t0;
          const steps = [await step(page, 'zoom', animate), await step(page, 'zoom', animate), await step(page, 'pan', animate)];
          const after = own.stats.dataset('sample');
          const stats = await statsByMessage(page);
          rows.push({
            animate: animate ? 1 : 0,
            homeMs: home,
            stepsMs: steps.reduce((a, b) => a + b, 0),
            batches: after.batchRequests - before.batchRequests,
            batchTiles: after.batchTiles - before.batchTiles,
            tileRequests: after.tileRequests - before.tileRequests,
            tilesDrawn: stats.hits.batch + stats.hits.network + stats.hits.memory + stats.hits.idb,
          });
        } finally {
          await context.close();
          await own.close();
        }
      }
      const immediate = rows.filter((r) => !r.animate);
      const anim = rows.find((r) => r.animate)!;
      console.log(
        JSON.stringify({
          name,
          homeMs: median(immediate.map((r) => r.homeMs!)),
          stepsMs: Math.round(median(immediate.map((r) => r.stepsMs!))),
          batches: median(immediate.map((r) => r.batches!)),
          meanBatch: +(median(immediate.map((r) => r.batchTiles! / Math.max(1, r.batches!)))).toFixed(1),
          tileRequests: median(immediate.map((r) => r.tileRequests!)),
          animatedBatches: anim.batches,
          animatedMeanBatch: +(anim.batchTiles! / Math.max(1, anim.batches!)).toFixed(1),
          animatedTileRequests: anim.tileRequests,
        }),
      );
    });
  }
});

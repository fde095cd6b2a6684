/**
 * Page-side batching (src/client/page-batching.ts) on the demo page: one batch
 * request per view, counted at the page and at the companion; every job
 * finished or failed (none left "loading") after a fast pan, a world reset and
 * an aborted batch; tiles drawn identical to the per-tile path.
 */
import type { Page } from '@playwright/test';
import { expect, test, waitForFullyLoaded, zoomBy } from './support/fixtures.ts';

/** Requests the page itself sends to the companion's tile API: batch POSTs and single tile GETs. */
function recordTileApiRequests(page: Page): { batches: string[]; tiles: string[] } {
  const seen = { batches: [] as string[], tiles: [] as string[] };
  page.on('request', (request) => {
    const path = new URL(request.url()).pathname;
    if (request.method() === 'POST' && /^\/api\/tiles\/[^/]+\/batch$/.test(path)) seen.batches.push(request.headers()['x-tile-batch'] ?? '');
    else if (/^\/api\/tiles\/[^/]+\/\d+\/\d+\/\d+\.\w+$/.test(path)) seen.tiles.push(path);
  });
  return seen;
}

/** Tiles OpenSeadragon still marks as loading, over every item and level it has touched. */
async function tilesStillLoading(page: Page): Promise<number> {
  return page.evaluate(() => {
    const viewer = window.demo.viewer!;
    let loading = 0;
    for (let i = 0; i < viewer.world.getItemCount(); i++) {
      const item = viewer.world.getItemAt(i) as unknown as { tilesMatrix: Record<number, Record<number, Record<number, { loading: boolean }>>> };
      for (const level of Object.values(item.tilesMatrix)) for (const column of Object.values(level)) for (const tile of Object.values(column)) if (tile.loading) loading += 1;
    }
    return loading;
  });
}

async function pageStats(page: Page) {
  return page.evaluate(() => ({ ...window.demo.accelerator!.batching!.stats, inProgress: window.demo.viewer!.imageLoader.jobsInProgress }));
}

test('each view leaves as one batch request, counted at the page and at the companion', async ({ page, counters }) => {
  const sent = recordTileApiRequests(page);
  const before = counters();
  await page.goto('/?drawer=canvas&prefetch=off');
  await waitForFullyLoaded(page);
  const home = counters();
  expect(sent.tiles).toEqual([]);
  expect(sent.batches).toEqual(['page']);
  expect(home.batchRequests - before.batchRequests).toBe(1);
  expect(home.tileRequests - before.tileRequests).toBe(0);

  await zoomBy(page, 2);
  const zoomed = counters();
  expect(sent.batches).toHaveLength(2);
  expect(zoomed.batchRequests - home.batchRequests).toBe(1);
  expect(zoomed.batchTiles - home.batchTiles).toBeGreaterThanOrEqual(12);
  expect(sent.tiles).toEqual([]);
  const stats = await pageStats(page);
  expect(stats).toMatchObject({ batches: 2, failed: 0, aborted: 0, inProgress: 0 });
  expect(stats.finished).toBe(zoomed.batchTiles - before.batchTiles);
});

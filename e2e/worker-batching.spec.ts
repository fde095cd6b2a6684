import { expect, test, waitForFullyLoaded, zoomBy } from './support/fixtures.ts';
import { recordTileStatuses, statsByEndpoint, statsByMessage, stopWorkers } from './support/worker.ts';

test('a cold view arrives in a handful of streamed batches, never tile by tile', async ({ page, counters }) => {
  const before = counters();
  // Install the worker on a blank page first, so the viewer's very first tile goes through it.
  await page.goto('/?drawer=canvas&pagebatch=off&prefetch=off');
  await waitForFullyLoaded(page);
  const first = counters();
  expect(first.tileRequests - before.tileRequests).toBe(0);

  const responses = recordTileStatuses(page);
  await zoomBy(page, 6);
  const after = counters();
  const batches = after.batchRequests - first.batchRequests;
  const tiles = after.batchTiles - first.batchTiles;
  expect(after.tileRequests - before.tileRequests).toBe(0);
  expect(tiles).toBeGreaterThanOrEqual(12);
  expect(batches).toBeGreaterThan(0);
  expect(batches).toBeLessThanOrEqual(6);
  expect(responses.length).toBeGreaterThanOrEqual(tiles);
  for (const r of responses) expect(r).toMatchObject({ status: 200 });
  expect(responses.filter((r) => r.source === 'batch').length).toBe(tiles);
  // DevTools' Network panel shows where each tile came from and what it cost.
  for (const r of responses) expect(r.timing).toMatch(/^sw;desc="batch";dur=[\d.]+, batch-wait;dur=[\d.]+$/);
});

test('a reload costs zero upstream tiles: everything comes from memory', async ({ page, counters }) => {
  await page.goto('/?drawer=canvas&pagebatch=off&prefetch=off');
  await waitForFullyLoaded(page);
  await zoomBy(page, 4);
  const upstream = () => counters().tileRequests + counters().batchTiles;
  const before = upstream();

  const responses = recordTileStatuses(page);
  await page.reload();
  await waitForFullyLoaded(page);
  await zoomBy(page, 4);
  expect(upstream()).toBe(before);
  expect(responses.length).toBeGreaterThan(0);
  expect(responses.every((r) => r.source === 'memory' && r.status === 200)).toBe(true);
});

test('a restarted worker serves the tiles from IndexedDB', async ({ page, context, counters }) => {
  await page.goto('/?drawer=canvas&pagebatch=off&prefetch=off');
  await waitForFullyLoaded(page);
  await zoomBy(page, 4);
  const upstream = () => counters().tileRequests + counters().batchTiles;
  // Writes happen after the answers; wait until the last batch is in IndexedDB.
  await expect.poll(async () => (await statsByMessage(page)).idb.entries).toBe((await statsByMessage(page)).hits.batch);
  const before = upstream();

  await stopWorkers(context, page);
  const responses = recordTileStatuses(page);
  await page.reload();
  await waitForFullyLoaded(page);
  await zoomBy(page, 4);
  expect(upstream()).toBe(before);
  expect(responses.length).toBeGreaterThan(0);
  expect(responses.every((r) => r.source === 'idb' && r.status === 200)).toBe(true);
  const stats = await statsByEndpoint(page);
  expect(stats.hits.idb).toBe(responses.length);
  expect(stats.hits.memory + stats.hits.batch + stats.hits.network).toBe(0);
});

test('two tabs on the same view share every tile: none is asked for upstream twice', async ({ context, page, counters }) => {
  await page.goto('/?drawer=canvas&pagebatch=off&prefetch=off'); // installs the worker for the context
  await waitForFullyLoaded(page);
  await page.evaluate(() => fetch('/__tile-accelerator/clear', { method: 'POST' }));
  const before = counters();
  const second = await context.newPage();
  const seen = [recordTileStatuses(page), recordTileStatuses(second)];
  await Promise.all([page.reload(), second.goto('/?drawer=canvas&pagebatch=off&prefetch=off')]);
  await Promise.all([waitForFullyLoaded(page), waitForFullyLoaded(second)]);
  await Promise.all([zoomBy(page, 4), zoomBy(second, 4)]);

  const after = counters();
  const urls = seen.flat().map((r) => new URL(r.url).pathname);
  const distinct = new Set(urls).size;
  expect(seen[0]!.length).toBeGreaterThan(10);
  expect(seen[1]!.length).toBeGreaterThan(10);
  expect(after.tileRequests - before.tileRequests).toBe(0);
  expect(after.batchTiles - before.batchTiles).toBe(distinct);
  const stats = await statsByMessage(page);
  // Every request beyond the first for a tile was a join or a memory hit.
  expect(stats.joined + stats.hits.memory).toBeGreaterThanOrEqual(urls.length - distinct);
});

import type { RunningCompanion } from '../src/server/node-server.ts';
import { expect, test, zoomBy } from './support/fixtures.ts';
import { recordTileStatuses, startOwnCompanion, statsByEndpoint, statsByMessage, type WorkerReport } from './support/worker.ts';

let own: RunningCompanion | undefined;
test.afterEach(async () => {
  await own?.close();
  own = undefined;
});

const loaded = (page: import('@playwright/test').Page) => page.waitForFunction(() => window.demo?.fullyLoaded === true, null, { timeout: 30_000 });

/** Waits until no batch is pending or in flight, so counts on both sides are final. */
async function settledStats(page: import('@playwright/test').Page): Promise<WorkerReport> {
  await expect.poll(async () => {
    const s = (await statsByMessage(page)) as WorkerReport & { queue: { pending: number; inFlight: number } };
    return s.queue.pending + s.queue.inFlight;
  }).toBe(0);
  return statsByMessage(page);
}

test("the stats message and the virtual endpoint agree with the companion's counters", async ({ page }) => {
  own = await startOwnCompanion();
  await page.goto(`${own.url}/?drawer=canvas&pagebatch=off&prefetch=off`);
  await loaded(page);
  await zoomBy(page, 4);
  await zoomBy(page, 0.5);
  await page.reload();
  await loaded(page);

  const byMessage = await settledStats(page);
  const byEndpoint = await statsByEndpoint(page);
  const companion = own.stats.dataset('sample');
  for (const stats of [byMessage, byEndpoint]) {
    expect(stats.batches).toBe(companion.batchRequests);
    expect(stats.batchTiles).toBe(companion.batchTiles);
    expect(stats.hits.network).toBe(companion.tileRequests);
    expect(stats.hits.batch).toBeLessThanOrEqual(companion.batchTiles);
  }
  expect(companion.batchRequests).toBeGreaterThan(0);
  expect(byMessage.hits.memory).toBeGreaterThan(0);
  expect(byEndpoint.hits).toEqual(byMessage.hits);
  expect(byEndpoint.batches).toBe(byMessage.batches);
});

test('POST /__tile-accelerator/clear empties memory and IndexedDB', async ({ page }) => {
  own = await startOwnCompanion();
  await page.goto(`${own.url}/?drawer=canvas&pagebatch=off&prefetch=off`);
  await loaded(page);
  await expect.poll(async () => (await statsByMessage(page)).idb.entries).toBeGreaterThan(0);
  const cleared = await page.evaluate(async () => (await fetch('/__tile-accelerator/clear', { method: 'POST' })).status);
  expect(cleared).toBe(200);
  const stats = await statsByEndpoint(page);
  expect(stats.memory.entries).toBe(0);
  expect(stats.idb.entries).toBe(0);

  const before = own.stats.dataset('sample').batchTiles;
  const responses = recordTileStatuses(page);
  await page.reload();
  await loaded(page);
  expect(responses.every((r) => r.source === 'batch')).toBe(true);
  expect(own.stats.dataset('sample').batchTiles - before).toBe(responses.length);
});

test('a tiny IndexedDB budget: eviction keeps the store under it, and the viewer still works', async ({ page }) => {
  const budget = 40_000;
  own = await startOwnCompanion();
  const responses = recordTileStatuses(page);
  await page.goto(`${own.url}/?drawer=canvas&pagebatch=off&prefetch=off&sw.idbMaxBytes=${budget}`);
  await loaded(page);
  await zoomBy(page, 4);
  await zoomBy(page, 4);
  const stats = await settledStats(page);
  expect(stats.idb.budget).toBe(budget);
  await expect.poll(async () => (await statsByMessage(page)).idbEvictions).toBeGreaterThan(0);

  // Read the store itself, not the worker's own bookkeeping.
  const stored = await page.evaluate(
    () =>
      new Promise<{ bytes: number; entries: number }>((resolve, reject) => {
        const open = indexedDB.open('tile-accelerator');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const all = open.result.transaction('tiles').objectStore('tiles').getAll();
          all.onerror = () => reject(all.error);
          all.onsuccess = () => {
            const records = all.result as Array<{ bytes: number; blob: Blob }>;
            resolve({ bytes: records.reduce((n, r) => n + r.blob.size, 0), entries: records.length });
            open.result.close();
          };
        };
      }),
  );
  expect(stored.entries).toBeGreaterThan(0);
  expect(stored.bytes).toBeLessThanOrEqual(budget);
  expect((await statsByMessage(page)).idb.bytes).toBe(stored.bytes);
  expect(responses.length).toBeGreaterThan(20);
  expect(responses.every((r) => r.status === 200)).toBe(true);
});

test('the demo overlay shows the worker and companion stats live', async ({ page }) => {
  own = await startOwnCompanion();
  await page.goto(`${own.url}/?drawer=canvas&pagebatch=off&prefetch=off`);
  await loaded(page);
  await zoomBy(page, 4);
  const stats = await settledStats(page);
  const companion = own.stats.dataset('sample');
  const overlay = page.locator('#stats-overlay');
  await expect(overlay).toContainText(`batches ${stats.batches} (`);
  await expect(overlay).toContainText(`companion: ${companion.tileRequests} tiles, ${companion.batchRequests} batches (${companion.batchTiles})`);
  await expect.poll(async () => ((await overlay.locator('polyline').getAttribute('points')) ?? '').split(' ').filter(Boolean).length).toBeGreaterThan(0);
});

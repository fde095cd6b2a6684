/**
 * The browser side once against the Worker engine: the demo page served by
 * workerd (wrangler dev, static assets) with tiles from its local R2 bucket,
 * a cold view in streamed batches, and a reload answered by the service
 * worker. Counts come from the Worker's cache-stats, never from timing.
 */
import { test as base, expect } from '@playwright/test';
import { waitForFullyLoaded, zoomBy } from './support/fixtures.ts';
import { recordTileStatuses } from './support/worker.ts';
import { startWorkerd, WORKERD_DATASET, type RunningWorkerd } from './support/workerd.ts';

const test = base.extend<object, { workerd: RunningWorkerd }>({
  workerd: [
    async ({}, use) => {
      const workerd = await startWorkerd();
      await use(workerd);
      await workerd.stop();
    },
    { scope: 'worker', timeout: 180_000 },
  ],
  baseURL: async ({ workerd }, use) => use(workerd.url),
});

// The per-tile worker path (as the worker-*.spec files pin it): each tile response names its tier.
const DEMO = `/?dataset=${WORKERD_DATASET}&drawer=canvas&prefetch=off&pagebatch=off`;

test('the demo page comes from workerd and draws the dataset through the service worker', async ({ page, workerd }) => {
  const response = await page.goto(DEMO);
  expect(response?.status()).toBe(200);
  await waitForFullyLoaded(page);
  expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toBe(`${workerd.url}/sw.js`);
  expect(await page.evaluate(() => window.demo.tilesLoaded)).toBeGreaterThan(0);
  const stats = await workerd.stats();
  expect(stats.source).toBe('r2-binding');
  expect(stats.counters.infoRequests).toBeGreaterThan(0);
});

test('a cold view arrives in a handful of streamed batches from the Worker, never tile by tile', async ({ page, workerd }) => {
  await page.goto(DEMO);
  await waitForFullyLoaded(page);
  const before = await workerd.counters();
  const responses = recordTileStatuses(page);
  await zoomBy(page, 4);
  const after = await workerd.counters();
  const tiles = after.batchTiles - before.batchTiles;
  const batches = after.batchRequests - before.batchRequests;
  expect(after.tileRequests - before.tileRequests).toBe(0);
  expect(tiles).toBeGreaterThanOrEqual(12);
  expect(batches).toBeGreaterThan(0);
  expect(batches).toBeLessThanOrEqual(6);
  expect(responses.filter((r) => r.source === 'batch' && r.status === 200).length).toBe(tiles);
});

test('a reload costs the Worker no tile: the service worker answers from its memory', async ({ page, workerd }) => {
  await page.goto(DEMO);
  await waitForFullyLoaded(page);
  await zoomBy(page, 4);
  const upstream = async () => {
    const c = await workerd.counters();
    return c.tileRequests + c.batchTiles;
  };
  const before = await upstream();
  const responses = recordTileStatuses(page);
  await page.reload();
  await waitForFullyLoaded(page);
  await zoomBy(page, 4);
  expect(await upstream()).toBe(before);
  expect(responses.length).toBeGreaterThan(0);
  expect(responses.every((r) => r.source === 'memory' && r.status === 200)).toBe(true);
});

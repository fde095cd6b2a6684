/**
 * Page-side batching (src/client/page-batching.ts) on the demo page: one batch
 * request per view, counted at the page and at the companion; every job
 * finished or failed (none left "loading") after a fast pan, a world reset and
 * an aborted batch; tiles drawn identical to the per-tile path.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test as base, type Page } from '@playwright/test';
import { BATCH_MAGIC, BatchDecoder, encodeFrame } from '../src/shared/batch-protocol.ts';
import { LocalFolderSource } from '../src/server/sources/local-folder.ts';
import { startCompanion, type RunningCompanion } from '../src/server/node-server.ts';
import { TILES_DIR, expect, test, waitForFullyLoaded, zoomBy } from './support/fixtures.ts';
import { test as recordingTest } from './support/viewer-fixtures.ts';
import { statsByEndpoint } from './support/worker.ts';
import { IN_RUNNER } from './support/in-runner.ts';

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
  await page.goto('/?drawer=canvas&prefetch=off&pagebatch=on');
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
  expect(stats.jobs).toBe(stats.finished);
});

test('the worker answers page batches: a reload costs the companion nothing', async ({ page, counters }) => {
  const sent = recordTileApiRequests(page);
  const before = counters();
  await page.goto('/?drawer=canvas&prefetch=off&stats=off&pagebatch=on');
  await waitForFullyLoaded(page);
  const cold = counters();
  expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  expect(cold.batchRequests - before.batchRequests).toBe(1);
  expect(cold.tileRequests - before.tileRequests).toBe(0);
  const coldWorker = await statsByEndpoint(page);
  // The cold view's frames came through the worker's batch client, one upstream batch.
  expect(coldWorker.batches).toBe(1);
  expect(coldWorker.hits.batch).toBe(cold.batchTiles - before.batchTiles);

  await page.reload();
  await waitForFullyLoaded(page);
  const warm = counters();
  expect(warm.batchRequests - cold.batchRequests).toBe(0);
  expect(warm.tileRequests - cold.tileRequests).toBe(0);
  expect(sent.batches).toEqual(['page', 'page']);
  expect(sent.tiles).toEqual([]);
  const stats = await pageStats(page);
  expect(stats).toMatchObject({ batches: 1, failed: 0, inProgress: 0 });
  const worker = await statsByEndpoint(page);
  expect(worker.batches).toBe(1);
  expect(worker.hits.memory + worker.hits.idb - coldWorker.hits.memory - coldWorker.hits.idb).toBe(stats.finished);
  expect(stats.finished).toBe(cold.batchTiles - before.batchTiles);
});

test('the worker answers a page batch\'s hits itself and sends its misses upstream as ONE batch', async ({ page, counters }) => {
  await page.goto('/?drawer=canvas&prefetch=off&stats=off&pagebatch=on');
  await waitForFullyLoaded(page);
  const post = (tiles: string[]) =>
    page.evaluate(async (tiles) => {
      const response = await fetch('/api/tiles/sample/batch', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/vnd.tile-accelerator.batch', 'X-Tile-Batch': 'page' },
        body: JSON.stringify({ tiles }),
      });
      return { source: response.headers.get('X-Tile-Source'), bytes: [...new Uint8Array(await response.arrayBuffer())] };
    }, tiles);
  const warm = ['5/0/0.jpg', '5/1/0.jpg'];
  const cold = ['5/2/0.jpg', '5/3/0.jpg', '5/4/0.jpg'];
  await post(warm);
  const before = counters();
  const workerBefore = await statsByEndpoint(page);
  const answer = await post([cold[0]!, ...warm, ...cold.slice(1)]);
  expect(answer.source).toBe('worker');
  const frames = new BatchDecoder().push(Uint8Array.from(answer.bytes));
  expect(frames.map((f) => f.key).sort()).toEqual([...warm, ...cold].sort());
  expect(frames.every((f) => f.status === 200 && f.body.length > 0)).toBe(true);
  const after = counters();
  // The three misses left together; the two hits never reached the companion.
  expect(after.batchRequests - before.batchRequests).toBe(1);
  expect(after.batchTiles - before.batchTiles).toBe(cold.length);
  const worker = await statsByEndpoint(page);
  expect(worker.hits.memory - workerBefore.hits.memory).toBe(warm.length);
  expect(worker.hits.batch - workerBefore.hits.batch).toBe(cold.length);
});

/** Waits until every job page batching took on has been finished or failed. */
async function waitForBatchesSettled(page: Page): Promise<void> {
  await expect.poll(async () => {
    const s = await pageStats(page);
    return s.finished + s.failed === s.jobs;
  }).toBe(true);
}

test('a fast pan leaves every job finished or failed, none "loading"', async ({ page }) => {
  await page.goto('/?drawer=canvas&prefetch=off&stats=off&pagebatch=on');
  await waitForFullyLoaded(page);
  await zoomBy(page, 4);
  // Eight animated pans, each started before the last one settled.
  await page.evaluate(async () => {
    const viewport = window.demo.viewer!.viewport;
    for (let i = 0; i < 8; i++) {
      const bounds = viewport.getBounds();
      viewport.panBy(bounds.getTopRight().minus(bounds.getTopLeft()).times(i % 2 === 0 ? 0.7 : -0.3));
      await new Promise((resolve) => setTimeout(resolve, 60));
    }
  });
  await waitForFullyLoaded(page);
  await waitForBatchesSettled(page);
  const stats = await pageStats(page);
  expect(stats.batches).toBeGreaterThan(2);
  expect(stats.failed).toBe(0);
  expect(stats.inProgress).toBe(0);
  expect(await tilesStillLoading(page)).toBe(0);
});

test('tiles are drawn identical to the per-tile path', async ({ page }) => {
  const shots: Buffer[][] = [];
  for (const query of ['pagebatch=off', 'pagebatch=on', 'pagebatch=on&pagebatch.decode=blob']) {
    await page.goto(`/?drawer=canvas&prefetch=off&stats=off&${query}`);
    await waitForFullyLoaded(page);
    const home = await page.locator('#viewer').screenshot();
    await zoomBy(page, 2);
    shots.push([home, await page.locator('#viewer').screenshot()]);
    const batches = await page.evaluate(() => window.demo.accelerator!.batching?.stats.batches ?? 0);
    expect(batches > 0).toBe(query !== 'pagebatch=off');
  }
  const [perTile, bitmap, blob] = shots as [Buffer[], Buffer[], Buffer[]];
  expect(bitmap[0]!.equals(perTile[0]!)).toBe(true);
  expect(bitmap[1]!.equals(perTile[1]!)).toBe(true);
  expect(blob[1]!.equals(perTile[1]!)).toBe(true);
});

test.describe('with batches held or cut at the companion', () => {
  const held = recordingTest;

  held('a world reset while a batch is in flight leaves every job finished or failed, none "loading"', async ({ page, recording }) => {
    await page.goto('/?drawer=canvas&prefetch=off&stats=off&pagebatch=on&sw=off'); // no worker: the companion holds the page's own batch
    await waitForFullyLoaded(page);
    recording.hold();
    await page.evaluate(() => {
      window.demo.fullyLoaded = false;
      window.demo.viewer!.viewport.zoomBy(4, undefined, true);
    });
    // The zoom's tiles may leave in one batch or, split across frames, in two: either way one is held.
    await expect.poll(() => recording.held()).toBeGreaterThanOrEqual(1);
    // The world is emptied and the same image added again while the zoom's batches wait.
    await page.evaluate(() => {
      const viewer = window.demo.viewer!;
      const source = viewer.world.getItemAt(0).source;
      viewer.world.removeAll();
      viewer.addTiledImage({ tileSource: source });
    });
    recording.release();
    await waitForFullyLoaded(page);
    await waitForBatchesSettled(page);
    const stats = await pageStats(page);
    expect(stats.inProgress).toBe(0);
    expect(stats.failed).toBe(0);
    expect(await tilesStillLoading(page)).toBe(0);
  });
});

/** A companion that, while `cut` is on, answers page batches with one real frame and then drops the connection. */
const cutting = base.extend<{ cutter: RunningCompanion & { cut(on: boolean): void } }>({
  cutter: async ({}, use) => {
    const state = { cut: false };
    const companion = await startCompanion({
      ...IN_RUNNER,
      source: new LocalFolderSource(TILES_DIR),
      staticDir: 'dist',
      intercept: async (request) => {
        if (!state.cut || request.method !== 'POST' || request.headers.get('x-tile-batch') !== 'page') return undefined;
        const dataset = new URL(request.url).pathname.split('/')[3]!;
        const [first] = ((await request.json()) as { tiles: string[] }).tiles;
        const body = new Uint8Array(await readFile(join(TILES_DIR, dataset, first!)));
        const frame = encodeFrame({ key: first!, status: 200, contentType: 'image/jpeg', etag: '', body });
        const chunks = [BATCH_MAGIC, frame];
        const stream = new ReadableStream<Uint8Array>({
          async pull(controller) {
            const next = chunks.shift();
            if (next) return controller.enqueue(next);
            // Let the frame reach the socket before it is destroyed.
            await new Promise((resolve) => setTimeout(resolve, 100));
            controller.error(new Error('connection cut by the test (expected in this spec)'));
          },
        });
        return new Response(stream, { headers: { 'Content-Type': 'application/vnd.tile-accelerator.batch' } });
      },
    });
    await use(Object.assign(companion, { cut: (on: boolean) => void (state.cut = on) }));
    await companion.close();
  },
  baseURL: async ({ cutter }, use) => use(cutter.url),
});

cutting('a batch cut mid-stream finishes the tiles that arrived and fails the rest, none "loading"', async ({ page, cutter }) => {
  // The worker's batching off: it passes page batches through unchanged, so the page reads the cut stream itself.
  await page.goto('/?drawer=canvas&prefetch=off&stats=off&pagebatch=on&sw.batching=off');
  await waitForFullyLoaded(page);
  const before = await pageStats(page);
  cutter.cut(true);
  await page.evaluate(() => window.demo.viewer!.viewport.zoomBy(4, undefined, true));
  await waitForBatchesSettled(page);
  cutter.cut(false);
  const stats = await pageStats(page);
  // At most one frame per cut batch arrives (a reset can also discard it in the kernel), and
  // OSD may start another batch once it drew a tile; every other job is failed, none lost.
  const batches = stats.batches - before.batches;
  const finished = stats.finished - before.finished;
  expect(batches).toBeGreaterThanOrEqual(1);
  expect(finished).toBeLessThanOrEqual(batches);
  expect(stats.failed - before.failed).toBe(stats.jobs - before.jobs - finished);
  expect(stats.failed - before.failed).toBeGreaterThan(0);
  expect(stats.aborted - before.aborted).toBe(0);
  expect(stats.inProgress).toBe(0);
  expect(await tilesStillLoading(page)).toBe(0);
});

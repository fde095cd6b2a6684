/**
 * Offline regions, end to end in Chromium: a region of `sample` pinned
 * through the page API, then the network off and the companion stopped.
 * Counts come from the companion (tiles asked upstream), OpenSeadragon's
 * events (tiles loaded and failed) and IndexedDB itself (tiles pinned).
 */
import { expect, test } from '@playwright/test';
import { waitForFullyLoaded } from './support/fixtures.ts';
import { makeTilesFolder, writeDataset } from './support/fixture-tiles.ts';
import { LocalFolderSource } from '../src/server/sources/local-folder.ts';
import { startOwnCompanion } from './support/worker.ts';
import { startRecordingCompanion, type RecordingCompanion } from './support/viewer-fixtures.ts';
import { statsByMessage, stopWorkers } from './support/worker.ts';
import { countFailedTiles, failedTiles, listRegions, pinnedInDb, tilesInDb, pinRegion, regionAction, regionDone, showRect, type Rect } from './support/regions.ts';

// A quarter of the image's area; levels 3-5 plus the cover levels 0-2: 1 + 4 + 9 + 25 + 81 + 289 tiles (region-plan.test.ts).
const REGION: Rect = { x: 2048, y: 2048, width: 8192, height: 8192 };
const REGION_TILES = 409;

let companion: RecordingCompanion;
test.beforeEach(async () => {
  companion = await startRecordingCompanion();
});
test.afterEach(async () => {
  companion.release();
  await companion.close().catch(() => undefined); // the offline test closes it itself
});

const open = async (page: import('@playwright/test').Page, query = '') => {
  await page.goto(`${companion.url}/?drawer=canvas&prefetch=off&stats=off${query}`);
  await waitForFullyLoaded(page);
};

/** Stops the companion: it listens no more (close() may wait for the browser's kept-alive sockets: bounded). */
async function stopCompanion(): Promise<void> {
  const closed = companion.close().then(() => 'closed', (e: Error) => e.message);
  await expect(fetch(`${companion.url}/api/tiles/sample/info`, { signal: AbortSignal.timeout(5000) })).rejects.toThrow();
}

/** Region tiles (`sample/z/x/y.jpg`) the companion was asked for, with repeats. */
const upstreamIn = (plan: Set<string>) => companion.upstream.filter((key) => plan.has(key));

function planKeys(): Set<string> {
  const keys = new Set<string>();
  for (let z = 0; z <= 5; z += 1) {
    const size = 256 * 2 ** (6 - z);
    const cols = Math.ceil(16384 / size);
    for (let x = Math.floor(REGION.x / size); x <= Math.min(cols - 1, Math.floor((REGION.x + REGION.width) / size)); x += 1) {
      for (let y = Math.floor(REGION.y / size); y <= Math.min(cols - 1, Math.floor((REGION.y + REGION.height) / size)); y += 1) keys.add(`sample/${z}/${x}/${y}.jpg`);
    }
  }
  return keys;
}

test('a pinned region draws fully with the network off and the companion stopped; outside it the viewer raises no error loop', async ({ page, context }) => {
  test.setTimeout(120_000);
  await open(page);
  const pinned = await pinRegion(page, { rect: REGION, minLevel: 3, maxLevel: 5 });
  expect(pinned.estimate.tiles).toBe(REGION_TILES);
  expect(pinned.fits).toBe(true);
  const done = await regionDone(page, pinned.id!);
  expect(done).toMatchObject({ status: 'complete', tiles: REGION_TILES, stored: REGION_TILES, failures: 0 });
  // The handle's live progress followed the broadcasts.
  expect(await page.evaluate((id) => window.regionHandles![id]!.progress, pinned.id!)).toMatchObject({ status: 'complete', stored: REGION_TILES });
  expect((await pinnedInDb(page, pinned.id!)).tiles).toBe(REGION_TILES);

  // No memory tier, no network, no companion: only what IndexedDB holds.
  // (setOffline after stopping the worker waits for the stopped worker: over a minute here; offline first.)
  await context.setOffline(true);
  await stopWorkers(context, page);
  await stopCompanion();
  await countFailedTiles(page);
  const views: Array<{ rect: Rect; level: number }> = [
    { rect: { x: 3000, y: 3000, width: 3000, height: 1800 }, level: 5 },
    { rect: { x: 6500, y: 7000, width: 3000, height: 1800 }, level: 5 }, // pan
    { rect: { x: 2600, y: 3000, width: 7000, height: 4200 }, level: 4 }, // zoom out
    { rect: { x: 4000, y: 5000, width: 2800, height: 1700 }, level: 5 }, // zoom in again
  ];
  for (const view of views) {
    await showRect(page, view.rect);
    await waitForFullyLoaded(page);
    const shown = await page.evaluate(() => window.demo.accelerator!.reporter.currentView(true)!);
    // The view really is inside the region, at a pinned level.
    expect(shown.level).toBe(view.level);
    expect(shown.rect.x).toBeGreaterThanOrEqual(REGION.x);
    expect(shown.rect.y).toBeGreaterThanOrEqual(REGION.y);
    expect(shown.rect.x + shown.rect.width).toBeLessThanOrEqual(REGION.x + REGION.width);
    expect(shown.rect.y + shown.rect.height).toBeLessThanOrEqual(REGION.y + REGION.height);
  }
  expect(await failedTiles(page)).toBe(0);

  // Outside the region: what is stored draws, the rest fails once, and nothing loops.
  const requests: string[] = [];
  page.on('request', (request) => {
    if (/\/api\/tiles\/sample\/\d+\/\d+\/\d+\.jpg$/.test(request.url())) requests.push(request.url());
  });
  const loadedBefore = await page.evaluate(() => window.demo.tilesLoaded);
  await showRect(page, { x: 12000, y: 12000, width: 3000, height: 1800 });
  await expect.poll(() => failedTiles(page)).toBeGreaterThan(0);
  await page.waitForTimeout(3000); // a bounded look for retries
  const afterSettle = requests.length;
  const failed = await failedTiles(page);
  await page.waitForTimeout(2000);
  expect(requests.length).toBe(afterSettle);
  expect(await failedTiles(page)).toBe(failed);
  // A 1280x800 view at level 5 needs ~6x4 tiles per level: each asked once, not in a loop.
  expect(requests.length).toBeLessThan(120);
  expect(await page.evaluate(() => window.demo.tilesLoaded)).toBeGreaterThan(loadedBefore); // coarse tiles of the region cover it
});

const regionStatus = async (page: import('@playwright/test').Page, id: string) => (await listRegions(page)).regions.find((r) => r.id === id);

test('pause stops asking for region tiles until resume, which goes on without asking any tile twice; cancel frees what it pinned', async ({ page }) => {
  test.setTimeout(120_000);
  await open(page);
  const plan = planKeys();
  companion.hold();
  const a = await pinRegion(page, { rect: REGION, minLevel: 3, maxLevel: 5 });
  await expect.poll(() => companion.held()).toBeGreaterThan(0); // the first chunk's batch waits at the gate
  await regionAction(page, a.id!, 'pause');
  companion.release();
  expect((await regionStatus(page, a.id!))?.status).toBe('paused');
  await expect.poll(async () => ((await statsByMessage(page)) as unknown as { queue: { pending: number; inFlight: number } }).queue).toEqual(expect.objectContaining({ pending: 0, inFlight: 0 }));
  const asked = upstreamIn(plan).length;
  expect(asked).toBeLessThan(REGION_TILES);
  await page.waitForTimeout(1500); // a bounded look: a paused region asks for nothing
  expect(upstreamIn(plan).length).toBe(asked);

  await regionAction(page, a.id!, 'resume');
  expect(await regionDone(page, a.id!)).toMatchObject({ status: 'complete', stored: REGION_TILES });
  const all = upstreamIn(plan);
  expect(new Set(all).size).toBe(all.length); // the chunk cut by the pause landed in the tiers: not asked again
  expect((await pinnedInDb(page, a.id!)).tiles).toBe(REGION_TILES);

  // Cancel a second region part-way: it is gone, its own tiles freed, the first region untouched.
  const b = await pinRegion(page, { rect: { x: 10240, y: 10240, width: 4096, height: 4096 }, minLevel: 4, maxLevel: 6 });
  await expect.poll(async () => (await pinnedInDb(page, b.id!)).tiles).toBeGreaterThan(0);
  await regionAction(page, b.id!, 'cancel');
  expect(await regionDone(page, b.id!)).toEqual({ rejected: 'AbortError' });
  expect(await regionStatus(page, b.id!)).toBeUndefined();
  expect(await pinnedInDb(page, b.id!)).toEqual({ tiles: 0, bytes: 0 });
  expect((await pinnedInDb(page, a.id!)).tiles).toBe(REGION_TILES);
});

test('a reload with the worker stopped in the middle of a download resumes it from IndexedDB', async ({ page, context }) => {
  test.setTimeout(120_000);
  await open(page);
  const plan = planKeys();
  const pinned = await pinRegion(page, { rect: REGION, minLevel: 3, maxLevel: 5 });
  await expect.poll(async () => (await regionStatus(page, pinned.id!))?.stored ?? 0).toBeGreaterThanOrEqual(64);
  companion.hold();
  await expect.poll(() => companion.held()).toBeGreaterThan(0);
  await stopWorkers(context, page); // the run dies with the worker, mid-chunk
  const stored = (await pinnedInDb(page, pinned.id!)).tiles;
  expect(stored).toBeLessThan(REGION_TILES);
  companion.release();

  await page.reload();
  await waitForFullyLoaded(page);
  expect(await regionDone(page, pinned.id!)).toMatchObject({ status: 'complete', tiles: REGION_TILES, stored: REGION_TILES });
  expect((await pinnedInDb(page, pinned.id!)).tiles).toBe(REGION_TILES);
  // Resumed from the persisted cursor: at most the chunk cut short is asked again.
  const asked = upstreamIn(plan);
  expect(asked.length - new Set(asked).size).toBeLessThanOrEqual(32);
  expect(new Set(asked).size).toBeGreaterThanOrEqual(REGION_TILES - 60); // (tiles the first view loaded were not asked for the region)
});

test('deleting a region frees the bytes no other region holds', async ({ page }) => {
  await open(page);
  const a = await pinRegion(page, { rect: { x: 0, y: 0, width: 4096, height: 4096 }, minLevel: 3, maxLevel: 4 });
  const b = await pinRegion(page, { rect: { x: 2048, y: 2048, width: 4096, height: 4096 }, minLevel: 3, maxLevel: 4 });
  expect(await regionDone(page, a.id!)).toMatchObject({ status: 'complete' });
  expect(await regionDone(page, b.id!)).toMatchObject({ status: 'complete' });
  const heldByA = await pinnedInDb(page, a.id!);
  const heldByB = await pinnedInDb(page, b.id!);
  const before = (await statsByMessage(page)).idb;
  const recordsBefore = await tilesInDb(page);
  expect(recordsBefore).toEqual({ tiles: before.entries, bytes: before.bytes });

  const freed = await page.evaluate((id) => window.demo.accelerator!.deleteRegion(id), a.id!);
  expect(freed.freedBytes).toBeGreaterThan(0);
  expect(freed.freedTiles).toBeLessThan(heldByA.tiles); // the tiles B also holds stay
  const after = (await statsByMessage(page)).idb;
  expect(before.bytes - after.bytes).toBe(freed.freedBytes);
  expect(before.entries - after.entries).toBe(freed.freedTiles);
  // The records themselves are gone, not only the counters.
  expect(await tilesInDb(page)).toEqual({ tiles: recordsBefore.tiles - freed.freedTiles, bytes: recordsBefore.bytes - freed.freedBytes });
  expect(await pinnedInDb(page, a.id!)).toEqual({ tiles: 0, bytes: 0 });
  expect(await pinnedInDb(page, b.id!)).toEqual(heldByB);
  expect((await listRegions(page)).regions.map((r) => r.id)).toEqual([b.id]);
});

test('a region larger than the storage left is refused before it starts, with the numbers', async ({ page }) => {
  await open(page, '&sw.idbMaxBytes=1000000');
  const asked = companion.upstream.length;
  const outcome = await pinRegion(page, { rect: REGION, minLevel: 3, maxLevel: 5 });
  expect(outcome.estimate.basis).not.toBe('assumed'); // measured from the tiles the first view stored
  expect(outcome.estimate.bytes).toBeGreaterThan(1_000_000);
  expect(outcome.fits).toBe(false);
  expect(outcome.error).toMatchObject({ name: 'TileError', code: 'INSUFFICIENT_STORAGE' });
  expect(outcome.error!.details).toMatchObject({ idbBudget: 1_000_000, needed: outcome.estimate.bytes });
  expect(outcome.error!.details!.available).toBeLessThan(outcome.error!.details!.needed);
  expect(outcome.error!.message).toMatch(/needs about .* MiB but only .* MiB is available/);
  expect((await listRegions(page)).regions).toEqual([]);
  expect(companion.upstream.length).toBe(asked);
});

test('pinned tiles survive an LRU pressure run that evicts unpinned ones', async ({ page }) => {
  test.setTimeout(120_000);
  const budget = 2_500_000;
  await open(page, `&sw.idbMaxBytes=${budget}`);
  const pinned = await pinRegion(page, { rect: { x: 0, y: 0, width: 4096, height: 4096 }, minLevel: 3, maxLevel: 4 });
  expect(await regionDone(page, pinned.id!)).toMatchObject({ status: 'complete' });
  const held = await pinnedInDb(page, pinned.id!);
  expect(held.tiles).toBe(pinned.estimate.tiles);

  // Full-resolution views elsewhere: several MiB of unpinned tiles through a 2.5 MB budget.
  for (let i = 0; i < 6; i += 1) {
    await showRect(page, { x: 6000 + i * 1500, y: 6000 + (i % 3) * 2500, width: 1280, height: 770 });
    await waitForFullyLoaded(page);
  }
  const stats = await statsByMessage(page);
  expect(stats.idbEvictions).toBeGreaterThan(0);
  expect(stats.idb.bytes).toBeLessThanOrEqual(budget);
  expect(await pinnedInDb(page, pinned.id!)).toEqual(held);
});

test('a re-tiled pyramid marks its region stale, and a refresh fetches it for the new version', async ({ page }) => {
  const folder = await makeTilesFolder();
  const own = await startOwnCompanion({ source: new LocalFolderSource(folder.root), infoTtlMs: 1 });
  try {
    await writeDataset(folder.root, 'fx', 'v1', [200, 0, 0]);
    await page.goto(`${own.url}/?dataset=fx&drawer=canvas&prefetch=off&stats=off`);
    await waitForFullyLoaded(page);
    const pinned = await pinRegion(page, { rect: 'whole', minLevel: 0, maxLevel: 2 });
    expect(await regionDone(page, pinned.id!)).toMatchObject({ status: 'complete', tiles: 21, pyramidVersion: 'v1' });

    await writeDataset(folder.root, 'fx', 'v2', [0, 0, 200]);
    await page.reload(); // the page asks for info again; the worker sees v2 and frees v1's tiles
    await waitForFullyLoaded(page);
    await expect.poll(async () => (await regionStatus(page, pinned.id!))?.status).toBe('stale');

    const refreshed = await page.evaluate(async (id) => (await window.demo.accelerator!.refreshRegion(id)).done, pinned.id!);
    expect(refreshed).toMatchObject({ status: 'complete', tiles: 21, pyramidVersion: 'v2' });
    expect(await regionStatus(page, pinned.id!)).toMatchObject({ status: 'complete', stored: 21, completeness: 1 });
  } finally {
    await own.close();
    await folder.remove();
  }
});

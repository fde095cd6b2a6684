/**
 * Prefetch, counted at the companion: once the view settles, the worker
 * fetches the ring around it and the next levels; a pan by one tile width or a
 * zoom in by one level then needs no upstream request for the tiles it shows.
 * The same steps with `?prefetch=off` do go upstream (the test can fail).
 */
import { expect, test, visibleTiles, waitForPrefetch, workerStats } from './support/viewer-fixtures.ts';
import { waitForFullyLoaded } from './support/fixtures.ts';
import type { Page } from '@playwright/test';

async function panByOneTile(page: Page): Promise<void> {
  await page.evaluate(() => {
    window.demo.fullyLoaded = false;
    const viewer = window.demo.viewer!;
    const view = window.demo.accelerator!.reporter.currentView(true)!;
    const item = viewer.world.getItemAt(0);
    // One tile of the drawn level, in viewport units.
    const tileImagePixels = view.info.tileSize * 2 ** (view.info.maxLevel - view.level);
    const delta = item.imageToViewportCoordinates(tileImagePixels, 0).x - item.imageToViewportCoordinates(0, 0).x;
    const centre = viewer.viewport.getCenter();
    centre.x += delta;
    viewer.viewport.panTo(centre);
    viewer.viewport.applyConstraints();
  });
  await waitForFullyLoaded(page);
}

async function zoomInOneLevel(page: Page): Promise<void> {
  await page.evaluate(() => {
    window.demo.fullyLoaded = false;
    window.demo.viewer!.viewport.zoomBy(2);
    window.demo.viewer!.viewport.applyConstraints();
  });
  await waitForFullyLoaded(page);
}

/** Opens the demo zoomed in to the middle of the image at level maxLevel - 1, and waits for the view and its prefetch. */
async function settledMidZoom(page: Page, query: string): Promise<void> {
  await page.goto(`/?drawer=canvas&pagebatch=off${query}`);
  await waitForFullyLoaded(page);
  await page.evaluate(() => {
    window.demo.fullyLoaded = false;
    window.demo.viewer!.viewport.zoomTo(4, undefined, true);
  });
  await waitForFullyLoaded(page);
}

for (const [name, move] of [
  ['pan by one tile width', panByOneTile],
  ['zoom in by one level', zoomInOneLevel],
] as const) {
  test(`after the view settles, a ${name} needs no upstream request for the tiles it shows`, async ({ page, recording }) => {
    await settledMidZoom(page, '');
    await waitForPrefetch(page);
    const before = recording.upstream.length;
    const prefetched = (await workerStats(page)).prefetch.prefetched;
    expect(prefetched).toBeGreaterThan(10);

    await move(page);
    const shown = new Set(await visibleTiles(page));
    const fetchedForView = recording.upstream.slice(before).filter((key) => shown.has(key));
    expect(fetchedForView).toEqual([]);
    // The shown tiles that were not on screen before came from the prefetch.
    const { prefetch } = await workerStats(page);
    console.log(`${name}: ${JSON.stringify(prefetch)}; upstream for the move's view: ${fetchedForView.length}`);
    expect(prefetch.used).toBeGreaterThan(0);
  });

  test(`without prefetch, the same ${name} goes upstream`, async ({ page, recording }) => {
    await settledMidZoom(page, '&prefetch=off');
    const before = recording.upstream.length;
    await move(page);
    const shown = new Set(await visibleTiles(page));
    const upstreamForView = recording.upstream.slice(before).filter((key) => shown.has(key)).length;
    console.log(`${name} without prefetch: upstream for the move's view: ${upstreamForView}`);
    expect(upstreamForView).toBeGreaterThan(0);
    expect((await workerStats(page)).prefetch.runs).toBe(0);
  });
}

test('the home view prefetches at most 2x its own tiles (issue 13), and a zoom in by one level then needs no request for its tiles', async ({ page, recording }) => {
  // The default path (page batches); the bench's view: the whole 16384² sample at 1280x800, 21 tiles.
  await page.goto('/?drawer=canvas');
  await waitForFullyLoaded(page);
  await waitForPrefetch(page);
  const own = await page.evaluate(() => window.demo.tilesLoaded);
  const { prefetch } = await workerStats(page);
  console.log(`home view: ${own} own tiles, ${recording.upstream.length} asked of the companion; ${JSON.stringify(prefetch)}`);
  expect(own).toBeGreaterThan(0);
  expect(prefetch.prefetched).toBeGreaterThan(0);
  expect(prefetch.planned).toBeLessThanOrEqual(2 * own);
  expect(recording.upstream.length - own).toBeLessThanOrEqual(2 * own);

  const before = recording.upstream.length;
  await zoomInOneLevel(page);
  const shown = new Set(await visibleTiles(page));
  expect(recording.upstream.slice(before).filter((key) => shown.has(key))).toEqual([]);
});

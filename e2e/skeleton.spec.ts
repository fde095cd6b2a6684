import { expect, recordTileResponses, test, waitForFullyLoaded, zoomBy } from './support/fixtures.ts';

test('the demo draws the sample through the worker, and revisited tiles come from its memory', async ({ page, counters }) => {
  await page.goto('/?drawer=canvas&pagebatch=off&prefetch=off');
  await waitForFullyLoaded(page);
  expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  expect(await page.evaluate(() => window.demo.tilesLoaded)).toBeGreaterThan(0);

  await zoomBy(page, 4);
  // Tiles reach the companion one by one or inside batches; count both.
  const upstreamTiles = () => counters().tileRequests + counters().batchTiles;
  const afterFirstVisit = upstreamTiles();
  expect(afterFirstVisit).toBeGreaterThan(0);

  // A reload drops OpenSeadragon's own cache; the worker keeps its memory.
  const responses = recordTileResponses(page);
  await page.reload();
  await waitForFullyLoaded(page);
  await zoomBy(page, 4);

  expect(upstreamTiles()).toBe(afterFirstVisit);
  expect(responses.length).toBeGreaterThan(0);
  for (const response of responses) {
    expect(response).toMatchObject({ fromWorker: true, source: 'memory' });
  }
});

test('with ?accelerator=off no worker is involved', async ({ page, counters }) => {
  await page.goto('/?drawer=canvas&pagebatch=off&prefetch=off'); // leaves a registered worker behind
  await waitForFullyLoaded(page);
  const responses = recordTileResponses(page);
  const before = counters().tileRequests;

  await page.goto('/?accelerator=off&drawer=canvas&pagebatch=off');
  await page.waitForFunction(() => window.demo?.worker === 'off');
  await waitForFullyLoaded(page);
  await zoomBy(page, 2);

  expect(await page.evaluate(() => navigator.serviceWorker.controller)).toBeNull();
  expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).length)).toBe(0);
  expect(responses.length).toBeGreaterThan(0);
  expect(responses.every((r) => !r.fromWorker && r.source === null)).toBe(true);
  expect(counters().tileRequests).toBeGreaterThan(before);
});

/**
 * Drop-on-leave, counted at the companion: while the companion holds the
 * first batches (a gate the test opens, not a timer), a fast pan across the
 * image leaves OpenSeadragon's requests for the views it passed queued in the
 * worker. Once the view settles they are dropped: nothing outside the final
 * view reaches the companion after that, and the final view loads fully.
 */
import { waitForFullyLoaded } from './support/fixtures.ts';
import { expect, test, waitForPrefetch, workerStats } from './support/viewer-fixtures.ts';

test('a fast pan drops queued tiles that left the view; the final view loads fully', async ({ page, recording }) => {
  let tileRequests = 0;
  page.on('request', (request) => {
    if (/\/api\/tiles\/sample\/\d+\/\d+\/\d+\.jpg/.test(request.url())) tileRequests += 1;
  });
  await page.goto('/?drawer=canvas&pagebatch=off&prefetch=off');
  await waitForFullyLoaded(page);
  await page.evaluate(() => {
    window.demo.fullyLoaded = false;
    const viewport = window.demo.viewer!.viewport;
    viewport.zoomTo(8, undefined, true);
    const centre = viewport.getCenter();
    centre.x = 1 / 16;
    viewport.panTo(centre, true);
  });
  await waitForFullyLoaded(page);

  recording.hold();
  const sentBeforePan = recording.upstream.length;
  const askedBeforePan = tileRequests;
  for (let step = 1; step <= 5; step += 1) {
    const requested = tileRequests;
    await page.evaluate(() => {
      const viewport = window.demo.viewer!.viewport;
      const centre = viewport.getCenter();
      centre.x += 1 / 8; // one view width: each step shows new tiles only
      viewport.panTo(centre, true);
    });
    await expect.poll(() => tileRequests).toBeGreaterThan(requested);
  }
  // The settled report of the last view drops the rest of the queue.
  await expect.poll(async () => (await workerStats(page)).prefetch.droppedLeftView).toBeGreaterThan(0);
  const heldAtGate = recording.upstream.length;
  expect(recording.held()).toBeGreaterThan(0);
  recording.release();
  await waitForFullyLoaded(page);

  const stats = await workerStats(page);
  const view = await page.evaluate(() => window.demo.accelerator!.reporter.currentView(true)!);
  const { info, rect, level } = view;
  const wanted = (key: string) => {
    const [, z, x, y] = /^sample\/(\d+)\/(\d+)\/(\d+)\./.exec(key)!.map(Number) as [number, number, number, number];
    const size = info.tileSize * 2 ** (info.maxLevel - z);
    // The worker keeps a margin of one tile and one level (its view report lags the screen).
    return z <= level + 1 && x >= Math.floor(rect.x / size) - 1 && x <= Math.floor((rect.x + rect.width) / size) + 1 && y >= Math.floor(rect.y / size) - 1 && y <= Math.floor((rect.y + rect.height) / size) + 1;
  };
  const sentAfterRelease = recording.upstream.slice(heldAtGate);
  expect(sentAfterRelease.filter((key) => !wanted(key))).toEqual([]);
  // Requested by the page while the pan ran, yet never sent upstream.
  const askedSincePan = tileRequests - askedBeforePan;
  const sentSincePan = recording.upstream.length - sentBeforePan;
  console.log(`pan: page asked for ${askedSincePan} tiles, ${sentSincePan} went upstream, ${stats.prefetch.droppedLeftView} dropped`);
  expect(sentSincePan).toBeLessThan(askedSincePan);
  expect(stats.prefetch.droppedLeftView).toBeGreaterThan(0);
  // Dropped tiles were made loadable again on the page.
  expect(await page.evaluate(() => window.demo.accelerator!.recovery.recovered)).toBeGreaterThan(0);
});

test('prefetches still queued when the view moves are dropped, never sent upstream', async ({ page, recording }) => {
  // One batch at a time: once it is held, everything else waits in the worker's queue.
  await page.goto('/?drawer=canvas&pagebatch=off&sw.maxConcurrentBatches=1');
  await waitForFullyLoaded(page);
  await waitForPrefetch(page); // the first view's run is over: the next run is the zoomed view's
  // With the companion holding every batch, zoom in and let the view settle: its
  // tiles and then its prefetch run wait in the worker's queue.
  recording.hold();
  const runsBefore = (await workerStats(page)).prefetch.runs;
  await page.evaluate(() => {
    window.demo.fullyLoaded = false;
    const viewport = window.demo.viewer!.viewport;
    viewport.zoomTo(8, undefined, true);
    const centre = viewport.getCenter();
    centre.x = 3 / 16;
    viewport.panTo(centre, true);
  });
  await expect.poll(async () => (await workerStats(page)).prefetch.runs).toBeGreaterThan(runsBefore);
  await expect.poll(async () => (await workerStats(page)).queue.pending).toBeGreaterThan(0);
  const atGate = await workerStats(page);
  expect(atGate.prefetch.active).toBe(1);
  const oldView = await page.evaluate(() => window.demo.accelerator!.reporter.currentView(true)!);
  const sentBeforeMove = recording.upstream.length;

  await page.evaluate(() => {
    window.demo.fullyLoaded = false;
    const viewport = window.demo.viewer!.viewport;
    const centre = viewport.getCenter();
    centre.x += 4 / 8; // four view widths away: the two prefetch areas do not meet
    viewport.panTo(centre, true);
  });
  await expect.poll(async () => (await workerStats(page)).prefetch.cancelledRuns).toBeGreaterThan(atGate.prefetch.cancelledRuns);
  recording.release();
  await waitForFullyLoaded(page);
  await waitForPrefetch(page);
  const newView = await page.evaluate(() => window.demo.accelerator!.reporter.currentView(true)!);

  // The area a plan for a view can touch: the view doubled about its centre, plus two tiles, levels from one below.
  const inArea = (view: typeof oldView, key: string) => {
    const [, z, x, y] = /^sample\/(\d+)\/(\d+)\/(\d+)\./.exec(key)!.map(Number) as [number, number, number, number];
    const size = view.info.tileSize * 2 ** (view.info.maxLevel - z);
    const { rect } = view;
    const [cx, cy] = [(rect.x + rect.width / 2) / size, (rect.y + rect.height / 2) / size];
    return z >= view.level - 1 && Math.abs(x + 0.5 - cx) <= rect.width / size + 2 && Math.abs(y + 0.5 - cy) <= rect.height / size + 2;
  };
  const sentAfterMove = recording.upstream.slice(sentBeforeMove);
  console.log(`prefetch cancelled: ${sentAfterMove.length} tiles sent after the move, ${sentAfterMove.filter((k) => inArea(newView, k)).length} of them for the new view`);
  expect(sentAfterMove.length).toBeGreaterThan(0);
  expect(sentAfterMove.filter((key) => inArea(oldView, key) && !inArea(newView, key))).toEqual([]);
});

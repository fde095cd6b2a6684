/**
 * A prefetch never competes with the view it follows: while the companion
 * holds the home view's batch (a gate the test opens, not a timer), the view
 * settles and its prefetch run starts, yet no prefetch tile reaches the
 * companion until the visible tiles have landed.
 */
import { waitForFullyLoaded } from './support/fixtures.ts';
import { expect, test, waitForPrefetch, workerStats } from './support/viewer-fixtures.ts';

test('prefetch waits until the visible tiles have landed', async ({ page, recording }) => {
  const asked = new Set<string>();
  page.on('request', (request) => {
    const match = /\/api\/tiles\/(sample\/\d+\/\d+\/\d+\.jpg)$/.exec(request.url());
    if (match) asked.add(match[1]!);
  });
  // Warm the worker up first, so the gate holds tile batches and not the worker's start.
  await page.goto('/?drawer=canvas&pagebatch=off&prefetch=off&stats=off');
  await waitForFullyLoaded(page);
  await page.evaluate(async () => (await fetch('/__tile-accelerator/clear', { method: 'POST' })).ok);
  asked.clear();
  const before = recording.upstream.length;

  recording.hold();
  await page.goto('/?drawer=canvas&pagebatch=off&stats=off');
  await expect.poll(() => recording.held()).toBeGreaterThan(0);
  // The settled view has reached the worker and started its run…
  await expect.poll(async () => (await workerStats(page)).prefetch.runs).toBeGreaterThan(0);
  await expect.poll(async () => (await workerStats(page)).prefetch.active).toBe(1);
  // …and still only visible tiles went upstream.
  const whileHeld = recording.upstream.slice(before);
  expect(whileHeld.length).toBeGreaterThan(0);
  expect(whileHeld.filter((key) => !asked.has(key))).toEqual([]);

  recording.release();
  await waitForFullyLoaded(page);
  await waitForPrefetch(page);
  const prefetched = recording.upstream.slice(before).filter((key) => !asked.has(key));
  expect(prefetched.length).toBeGreaterThan(0);
});

import { BATCH_CONTENT_TYPE, BATCH_MAGIC } from '../src/shared/batch-protocol.ts';
import type { RunningCompanion } from '../src/server/node-server.ts';
import { expect, test, zoomBy } from './support/fixtures.ts';
import { recordTileStatuses, startOwnCompanion, statsByMessage } from './support/worker.ts';

const isBatch = (request: Request) => new URL(request.url).pathname.endsWith('/batch');

const failures: Record<string, () => Response> = {
  'answers 503': () => Response.json({ error: { code: 'UPSTREAM_ERROR', message: 'made to fail' } }, { status: 503 }),
  // Right header and magic, then a frame cut short and no end frame.
  'streams a malformed body': () =>
    new Response(new Uint8Array([...BATCH_MAGIC, 0, 200, 9, 0x31]), { headers: { 'Content-Type': BATCH_CONTENT_TYPE } }),
};

for (const [how, fail] of Object.entries(failures)) {
  test(`when the batch endpoint ${how}, every tile still arrives, one by one`, async ({ page }) => {
    let batchAttempts = 0;
    let own: RunningCompanion | undefined;
    try {
      own = await startOwnCompanion({
        intercept: (request) => {
          if (!isBatch(request)) return undefined;
          batchAttempts += 1;
          return fail();
        },
      });
      const responses = recordTileStatuses(page);
      await page.goto(`${own.url}/?drawer=canvas&pagebatch=off&prefetch=off`);
      await page.waitForFunction(() => window.demo?.fullyLoaded === true, null, { timeout: 30_000 });
      const attemptsBeforeZoom = batchAttempts;
      expect(attemptsBeforeZoom).toBeGreaterThan(0);
      await zoomBy(page, 4);

      const counters = own.stats.dataset('sample');
      const stats = await statsByMessage(page);
      // After a failure the worker backs off: the new view's tiles do not even try a batch.
      expect(batchAttempts).toBe(attemptsBeforeZoom);
      expect(batchAttempts).toBeLessThanOrEqual((stats as unknown as { options: { maxConcurrentBatches: number } }).options.maxConcurrentBatches);
      expect(stats.batchFailures).toBe(batchAttempts);
      expect(responses.length).toBeGreaterThan(10);
      expect(responses.every((r) => r.status === 200 && r.source === 'network')).toBe(true);
      expect(counters.tileRequests).toBe(responses.length);
      expect(stats.hits.network).toBe(responses.length);
    } finally {
      await own?.close();
    }
  });
}

test('with the worker unregistered, the page loads tiles directly', async ({ page, counters }) => {
  await page.goto('/?accelerator=off&drawer=canvas&pagebatch=off&prefetch=off');
  await page.waitForFunction(() => window.demo?.worker === 'off');
  const responses = recordTileStatuses(page);
  const before = counters().tileRequests;
  await zoomBy(page, 2);
  expect(responses.length).toBeGreaterThan(0);
  expect(responses.every((r) => r.status === 200 && r.source === null)).toBe(true);
  expect(counters().tileRequests - before).toBe(responses.length);
});

test('with the info endpoint failing, a known dataset opens from the info the worker stored', async ({ page }) => {
  let failInfo = false;
  let failedInfo = 0;
  const own = await startOwnCompanion({
    intercept: (request) => {
      if (!failInfo || !new URL(request.url).pathname.endsWith('/info')) return undefined;
      failedInfo += 1;
      return Response.json({ error: { code: 'UPSTREAM_ERROR', message: 'made to fail' } }, { status: 503 });
    },
  });
  try {
    await page.goto(`${own.url}/?drawer=canvas&pagebatch=off&prefetch=off`);
    await page.waitForFunction(() => window.demo?.fullyLoaded === true, null, { timeout: 30_000 });
    failInfo = true;
    const responses = recordTileStatuses(page);
    await page.reload();
    await page.waitForFunction(() => window.demo?.fullyLoaded === true, null, { timeout: 30_000 });
    expect(failedInfo).toBeGreaterThan(0);
    expect(responses.length).toBeGreaterThan(0);
    expect(responses.every((r) => r.status === 200 && r.source === 'memory')).toBe(true);
  } finally {
    await own.close();
  }
});

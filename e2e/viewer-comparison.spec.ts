/**
 * Comparison mode, counted at the companion: two synchronised panes on the
 * same dataset cost about what one pane of the same size costs, because the
 * second pane's tiles come from the worker's memory or join the first pane's
 * requests in flight. The one-pane run sits in a window half as wide, so its
 * pane has exactly the size of each of the two panes.
 */
import type { Browser, Page } from '@playwright/test';
import { waitForFullyLoaded } from './support/fixtures.ts';
import { expect, test, type RecordingCompanion } from './support/viewer-fixtures.ts';

const HEIGHT = 700;
const PANE = 640;

async function upstreamFor(browser: Browser, recording: RecordingCompanion, panes: number): Promise<{ upstream: number; page: Page }> {
  const context = await browser.newContext({ baseURL: recording.url, viewport: { width: PANE * panes + 2 * (panes - 1), height: HEIGHT } });
  const page = await context.newPage();
  const before = recording.upstream.length;
  await page.goto(`/?drawer=canvas&pagebatch=off&prefetch=off&compare=${Array(panes).fill('sample').join(',')}`);
  await waitForFullyLoaded(page);
  await page.waitForFunction(() => window.demo.viewers!.every((p) => p.fullyLoaded));
  for (const factor of [4, 2]) {
    await page.evaluate((f) => {
      window.demo.fullyLoaded = false;
      window.demo.viewer!.viewport.zoomBy(f);
    }, factor);
    await waitForFullyLoaded(page);
    await page.waitForFunction(() => window.demo.viewers!.every((p) => p.fullyLoaded));
  }
  return { upstream: recording.upstream.length - before, page };
}

test('the second pane costs at most a small fraction of the first pane’s upstream requests', async ({ browser, recording }) => {
  const one = await upstreamFor(browser, recording, 1);
  const two = await upstreamFor(browser, recording, 2);
  const panes = await two.page.evaluate(() => window.demo.viewers!.map((p) => ({ name: p.name, tiles: p.tilesLoaded, sources: p.sources })));
  console.log(`one pane: ${one.upstream} tiles upstream; two panes: ${two.upstream}; panes ${JSON.stringify(panes)}`);

  expect(one.upstream).toBeGreaterThan(20);
  expect(two.upstream - one.upstream).toBeLessThanOrEqual(Math.ceil(one.upstream * 0.1));
  // Both panes drew their tiles, and the page can tell where each pane's came from.
  for (const pane of panes) expect(pane.tiles).toBeGreaterThan(20);
  await expect(two.page.locator('.pane-label').nth(1)).toContainText('hit rate');
});

/**
 * Worker chaos (issue 12): the companion is killed in the middle of a batch
 * and comes back on the same port. The worker's retries (src/sw/failed-tiles.ts)
 * and the page's dropped-tile recovery must complete the view, and nothing the
 * outage produced may be left in IndexedDB: every entry equals its file.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunningCompanion } from '../src/server/node-server.ts';
import type { Page } from '@playwright/test';
import { expect, test } from './support/fixtures.ts';
import { startOwnCompanion, statsByMessage } from './support/worker.ts';

const isBatch = (request: Request) => new URL(request.url).pathname.endsWith('/batch');

test('companion killed mid-batch and restarted: every tile of the final view is drawn, every IndexedDB entry equals its file', async ({ page }) => {
  test.setTimeout(120_000);
  let own: RunningCompanion | undefined;
  let killOnBatch = false;
  let killed = 0;
  const intercept = (request: Request): Response | undefined | Promise<Response> => {
    if (!killOnBatch || !isBatch(request)) return undefined;
    killOnBatch = false;
    killed += 1;
    const dying = own!;
    // The batch is in flight when every connection is cut and the port closes.
    return dying.close().then(() => new Response('gone', { status: 503 }));
  };
  try {
    own = await startOwnCompanion({ intercept });
    const port = Number(new URL(own.url).port);
    await page.goto(`${own.url}/?drawer=canvas&pagebatch=off&prefetch=off&osd.maxTilesPerFrame=8`);
    await page.waitForFunction(() => window.demo?.fullyLoaded === true, null, { timeout: 30_000 });

    killOnBatch = true;
    await page.evaluate(() => {
      window.demo.fullyLoaded = false;
      const viewport = window.demo.viewer!.viewport;
      viewport.zoomBy(4, undefined, true);
      viewport.applyConstraints(true);
    });
    await expect.poll(() => killed, { timeout: 20_000 }).toBe(1);
    // Down: the batch failed, the per-tile fallbacks and pass-throughs fail too, and the worker holds them for retries.
    await expect.poll(async () => ((await statsByMessage(page)) as unknown as { retries: { waiting: number } }).retries.waiting, { timeout: 30_000 }).toBeGreaterThan(0);

    own = await startOwnCompanion({ intercept, port });
    await expectViewComplete(page);
    const stats = (await statsByMessage(page)) as unknown as { retries: { recovered: number } };
    expect(stats.retries.recovered).toBeGreaterThan(0);

    // Let the batch's and retries' IndexedDB writes land, then compare every entry with its file.
    await page.waitForTimeout(500);
    await expectStoreEqualsFiles(page);
  } finally {
    await own?.close();
  }
});

test('upstream 200s that are HTML pages or empty: never stored, answered as errors, then loaded once the upstream heals', async ({ page }) => {
  test.setTimeout(120_000);
  let poison = false;
  let poisoned = 0;
  const own = await startOwnCompanion({
    intercept: (request) => {
      const path = new URL(request.url).pathname;
      if (!poison || !/\/api\/tiles\/sample\/\d+\/\d+\/\d+\.jpg$/.test(path)) return undefined;
      poisoned += 1;
      if (poisoned > 12) return undefined; // the upstream heals
      return poisoned % 2
        ? new Response('<!DOCTYPE html><h1>503 Service Unavailable</h1>', { headers: { 'Content-Type': 'image/jpeg' } })
        : new Response(new Uint8Array(0), { headers: { 'Content-Type': 'image/jpeg' } });
    },
  });
  try {
    // Per-tile fetches only, so every tile goes through the poisoned GETs.
    await page.goto(`${own.url}/?drawer=canvas&pagebatch=off&prefetch=off&sw.batching=off`);
    await page.waitForFunction(() => window.demo?.fullyLoaded === true, null, { timeout: 30_000 });
    poison = true;
    await page.evaluate(() => {
      window.demo.fullyLoaded = false;
      const viewport = window.demo.viewer!.viewport;
      viewport.zoomBy(4, undefined, true);
      viewport.applyConstraints(true);
    });
    // The upstream poisons the first 12 tile GETs, then heals.
    await expect.poll(() => poisoned, { timeout: 30_000 }).toBeGreaterThan(12);
    await expectViewComplete(page);
    const stats = (await statsByMessage(page)) as unknown as { retries: { recovered: number } };
    expect(stats.retries.recovered).toBeGreaterThan(0);
    await page.waitForTimeout(500);
    await expectStoreEqualsFiles(page);
  } finally {
    await own.close();
  }
});

/** Every tile OpenSeadragon holds exists (none left marked failed) and the view is fully loaded. */
async function expectViewComplete(page: Page): Promise<void> {
  await expect
    .poll(
      () =>
        page.evaluate(() => {
          const image = window.demo.viewer!.world.getItemAt(0) as unknown as { tilesMatrix: Record<number, Record<number, Record<number, { exists: boolean }>>> };
          let missing = 0;
          for (const columns of Object.values(image.tilesMatrix)) for (const rows of Object.values(columns)) for (const tile of Object.values(rows)) if (!tile.exists) missing += 1;
          return window.demo.fullyLoaded && missing === 0;
        }),
      { timeout: 60_000, intervals: [500] },
    )
    .toBe(true);
}

/** Every entry of the worker's IndexedDB `tiles` store is byte-identical to its file under data/tiles/sample. */
async function expectStoreEqualsFiles(page: Page): Promise<void> {
  const entries = await page.evaluate(
    () =>
      new Promise<Array<{ key: string; bytes: number[] }>>((resolve, reject) => {
        const open = indexedDB.open('tile-accelerator');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const all = open.result.transaction('tiles').objectStore('tiles').getAll();
          all.onerror = () => reject(all.error);
          all.onsuccess = async () => {
            const rows = all.result as Array<{ key: string; blob: Blob }>;
            resolve(await Promise.all(rows.map(async (r) => ({ key: r.key, bytes: [...new Uint8Array(await r.blob.arrayBuffer())] }))));
            open.result.close();
          };
        };
      }),
  );
  expect(entries.length).toBeGreaterThan(10);
  for (const { key, bytes } of entries) {
    const [, level, x, y] = /^sample@[^/]+\/(\d+)\/(\d+)\/(\d+)$/.exec(key)!;
    const file = await readFile(join('data/tiles/sample', level!, x!, `${y}.jpg`));
    expect(Buffer.from(bytes).equals(file), key).toBe(true);
  }
}

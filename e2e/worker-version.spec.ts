import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalFolderSource } from '../src/server/sources/local-folder.ts';
import { expect, test } from './support/fixtures.ts';
import { makeTilesFolder, writeDataset } from './support/fixture-tiles.ts';
import { recordTileStatuses, startOwnCompanion, statsByMessage, storedTileKeys } from './support/worker.ts';

const loaded = (page: import('@playwright/test').Page) => page.waitForFunction(() => window.demo?.fullyLoaded === true, null, { timeout: 30_000 });

test('a new dataset version is served, not the tiles cached for the old one', async ({ page }) => {
  const folder = await makeTilesFolder();
  const own = await startOwnCompanion({ source: new LocalFolderSource(folder.root), infoTtlMs: 1 });
  try {
    await writeDataset(folder.root, 'fx', 'v1', [200, 0, 0]);
    const tileUrl = '/api/tiles/fx/0/0/0.jpg';
    const readTile = () =>
      page.evaluate(async (url) => {
        const response = await fetch(url);
        return { source: response.headers.get('X-Tile-Source'), bytes: [...new Uint8Array(await response.arrayBuffer())] };
      }, tileUrl);

    await page.goto(`${own.url}/?dataset=fx&drawer=canvas&pagebatch=off&prefetch=off`);
    await loaded(page);
    const first = await readTile();
    expect(first.source).toBe('memory');
    await expect.poll(async () => (await statsByMessage(page)).idb.entries).toBeGreaterThan(0);

    await writeDataset(folder.root, 'fx', 'v2', [0, 0, 200]);
    const v2 = [...(await readFile(join(folder.root, 'fx/0/0/0.jpg')))];
    expect(v2).not.toEqual(first.bytes);

    const responses = recordTileStatuses(page);
    await page.reload(); // the page asks for info again; the worker sees v2
    await loaded(page);
    expect(responses.length).toBeGreaterThan(0);
    expect(responses.every((r) => r.status === 200 && r.source === 'batch')).toBe(true);
    const second = await readTile();
    expect(second.bytes).toEqual(v2);

    // The old version's entries are gone from IndexedDB, not merely unreachable.
    const storedKeys = () => storedTileKeys(page);
    await expect.poll(async () => (await storedKeys()).filter((k) => k.startsWith('fx@v1/'))).toEqual([]);
    expect((await storedKeys()).filter((k) => k.startsWith('fx@v2/')).length).toBeGreaterThan(0);
  } finally {
    await own.close();
    await folder.remove();
  }
});

/**
 * The drop-in on pyramids people already have: an OpenSeadragon page (the
 * demo's `?tileSource=`) opening a `.dzi` made by real `vips dzsave`, served
 * by a plain static host on ANOTHER origin (CORS), plus enableTileAccelerator.
 * Counted at that host: what reaches it, with which headers.
 */
import { readFile, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test, TILES_DIR, zoomBy } from './support/fixtures.ts';
import { dzsave, tempFolder, writeImage } from './support/dzsave.ts';
import { staticHost, startStaticServer, type RunningStaticServer } from './support/static-server.ts';
import { LocalFolderSource } from '../src/server/sources/local-folder.ts';
import { startOwnCompanion, statsByMessage } from './support/worker.ts';

const TILES = /_files\/\d+\/\d+_\d+\.jpeg$/;
let folder: Awaited<ReturnType<typeof tempFolder>>;
let host: RunningStaticServer;

test.beforeAll(async () => {
  folder = await tempFolder();
  await writeImage(join(folder.root, 'scan.png'), 1500, 1100, [0, 0, 0]);
  dzsave(join(folder.root, 'scan.png'), folder.root, 'scan');
  host = await startStaticServer(folder.root);
});

test.afterAll(async () => {
  await host?.close();
  await folder?.remove();
});

const demoUrl = (tileSource: string, extra = '') => `/?tileSource=${encodeURIComponent(tileSource)}&drawer=canvas&prefetch=off&stats=off${extra}`;

async function loadedAccelerated(page: Page): Promise<void> {
  await page.waitForFunction(() => window.demo?.fullyLoaded === true && (window.demo.accelerator?.sources.length ?? 0) > 0, null, { timeout: 30_000 });
}

/** Tile responses from `origin` the page saw: through the worker or not, and the tier it named. */
function tileResponses(page: Page, origin: string): Array<{ fromWorker: boolean; source: string | null }> {
  const seen: Array<{ fromWorker: boolean; source: string | null }> = [];
  page.on('response', (r) => {
    if (r.url().startsWith(origin) && TILES.test(new URL(r.url()).pathname)) seen.push({ fromWorker: r.fromServiceWorker(), source: r.headers()['x-tile-source'] ?? null });
  });
  return seen;
}

async function viewerPixels(page: Page): Promise<Buffer> {
  return page.locator('.openseadragon-canvas canvas').first().screenshot();
}

test('a cross-origin .dzi without a companion: tiles through the worker, a reload fetches none, drawn as plain OpenSeadragon draws it', async ({ page }) => {
  test.slow(); // three page loads and two screenshots on a shared machine
  const responses = tileResponses(page, host.url);
  const start = host.gets(TILES).length;
  await page.goto(demoUrl(`${host.url}/scan.dzi`));
  await loadedAccelerated(page);
  expect(await page.evaluate(() => window.demo.accelerator!.unaccelerated)).toEqual([]);
  const fetched = host.gets(TILES).length - start;
  expect(fetched).toBeGreaterThan(0);
  expect(responses.length).toBe(fetched);
  expect(responses.every((r) => r.fromWorker && r.source === 'network')).toBe(true);
  await expect.poll(async () => (await statsByMessage(page)).idb.entries).toBeGreaterThanOrEqual(fetched);

  const beforeReload = host.gets(TILES).length;
  await page.reload();
  await loadedAccelerated(page);
  expect(host.gets(TILES).length - beforeReload).toBe(0);
  const accelerated = await viewerPixels(page);

  await page.goto(demoUrl(`${host.url}/scan.dzi`, '&accelerator=off'));
  await page.waitForFunction(() => window.demo?.worker === 'off' && window.demo.fullyLoaded === true, null, { timeout: 30_000 });
  expect((await viewerPixels(page)).equals(accelerated)).toBe(true);
});

test('prefetch follows a source without a companion: after the view settles, a zoom-in gets every tile from the worker\'s store', async ({ page }) => {
  test.slow(); // makes a 5000 px pyramid first
  // Big enough that a zoom-in by 2 from the home view draws the next level.
  const big = await tempFolder();
  await writeImage(join(big.root, 'big.png'), 5000, 3500, [0, 30, 60]);
  dzsave(join(big.root, 'big.png'), big.root, 'big');
  const bigHost = await startStaticServer(big.root);
  try {
    const responses = tileResponses(page, bigHost.url);
    await page.goto(demoUrl(`${bigHost.url}/big.dzi`).replace('&prefetch=off', ''));
    await loadedAccelerated(page);
    // Every settled view the page reported has had its prefetch run, and none is running.
    await expect
      .poll(async () => {
        const reporter = await page.evaluate(() => ({ settled: window.demo.accelerator!.reporter.lastView?.settled === true, reports: window.demo.accelerator!.reporter.settledReports }));
        const { prefetch } = (await statsByMessage(page)) as unknown as { prefetch: { runs: number; active: number; prefetched: number } };
        return reporter.settled && prefetch.runs >= reporter.reports && prefetch.active === 0 && prefetch.prefetched > 0;
      }, { timeout: 30_000 })
      .toBe(true);
    // The zoom's own tiles, as the page got them (a new prefetch run for the new view may go upstream meanwhile).
    const seen = responses.length;
    await zoomBy(page, 2);
    const zoomed = responses.slice(seen);
    expect(zoomed.length).toBeGreaterThan(0);
    expect(zoomed.filter((r) => r.source !== 'memory' && r.source !== 'idb')).toEqual([]);
  } finally {
    await bigHost.close();
    await big.remove();
  }
});

test('an Authorization header from ajaxHeaders reaches the upstream with every tile', async ({ page }) => {
  const start = host.requests.length;
  await page.goto(demoUrl(`${host.url}/scan.dzi`, `&osd.ajaxHeader.Authorization=${encodeURIComponent('Bearer s3cret')}`));
  await loadedAccelerated(page);
  const tiles = host.requests.slice(start).filter((r) => r.method === 'GET' && TILES.test(r.path));
  expect(tiles.length).toBeGreaterThan(0);
  expect(tiles.map((r) => r.authorization)).toEqual(tiles.map(() => 'Bearer s3cret'));
});

test('a same-origin .dzi is accelerated the same way', async ({ page }) => {
  const sameOrigin = staticHost(folder.root);
  const own = await startOwnCompanion({ intercept: (request) => sameOrigin.handle(request, '/pyramids') });
  try {
    await page.goto(`${own.url}${demoUrl('/pyramids/scan.dzi')}`);
    await loadedAccelerated(page);
    const fetched = sameOrigin.gets(TILES).length;
    expect(fetched).toBeGreaterThan(0);
    await expect.poll(async () => (await statsByMessage(page)).idb.entries).toBeGreaterThanOrEqual(fetched);
    await page.reload();
    await loadedAccelerated(page);
    expect(sameOrigin.gets(TILES).length).toBe(fetched);
  } finally {
    await own.close();
  }
});

for (const variant of [
  { name: 'Zoomify (vips --layout zoomify)', args: ['--layout', 'zoomify'], descriptor: 'variant/ImageProperties.xml' },
  { name: 'DZI with 256 px PNG tiles, no overlap', args: ['--tile-size', '256', '--overlap', '0', '--suffix', '.png'], descriptor: 'variant.dzi' },
]) {
  test(`${variant.name} on another origin: through the worker, a reload fetches no tile`, async ({ page }) => {
    const made = await tempFolder();
    await writeImage(join(made.root, 'in.png'), 900, 700, [20, 60, 0]);
    dzsave(join(made.root, 'in.png'), made.root, 'variant', variant.args);
    const origin = await startStaticServer(made.root);
    try {
      const tiles = () => origin.requests.filter((r) => r.method === 'GET' && /\.(jpg|png)$/.test(r.path));
      const responses: boolean[] = [];
      page.on('response', (r) => r.url().startsWith(origin.url) && /\.(jpg|png)$/.test(r.url()) && responses.push(r.fromServiceWorker()));
      await page.goto(demoUrl(`${origin.url}/${variant.descriptor}`));
      await loadedAccelerated(page);
      expect(await page.evaluate(() => window.demo.accelerator!.unaccelerated)).toEqual([]);
      const fetched = tiles().length;
      expect(fetched).toBeGreaterThan(0);
      expect(responses.length).toBe(fetched);
      expect(responses.every(Boolean)).toBe(true);
      await expect.poll(async () => (await statsByMessage(page)).idb.entries).toBeGreaterThanOrEqual(fetched);
      await page.reload();
      await loadedAccelerated(page);
      expect(tiles().length).toBe(fetched);
    } finally {
      await origin.close();
      await made.remove();
    }
  });
}

test('a custom getTileUrl on another origin is learned as a URL template and accelerated', async ({ page }) => {
  const template = `${host.url}/scan_files/{level}/{x}_{y}.jpeg`;
  const start = host.gets(TILES).length;
  await page.goto(`/?tileTemplate=${encodeURIComponent(template)}&width=1500&height=1100&tileSize=254&overlap=1&drawer=canvas&prefetch=off&stats=off`);
  await loadedAccelerated(page);
  expect(await page.evaluate(() => window.demo.accelerator!.sources)).toEqual([`${host.url}/scan_files/`]);
  const fetched = host.gets(TILES).length - start;
  expect(fetched).toBeGreaterThan(0);
  await expect.poll(async () => (await statsByMessage(page)).idb.entries).toBeGreaterThanOrEqual(fetched);
  await page.reload();
  await loadedAccelerated(page);
  expect(host.gets(TILES).length - start).toBe(fetched);
});

test('a registered source with a companion: its tiles come in batches from the companion, the tile host sees none', async ({ page, counters }) => {
  // The sample dataset's own z/x/y files on another origin, opened by a custom getTileUrl; the companion serves the same files as "sample".
  const tileHost = await startStaticServer(join(TILES_DIR, 'sample'));
  try {
    const before = counters('sample');
    const template = encodeURIComponent(`${tileHost.url}/{level}/{x}/{y}.jpg`);
    await page.goto(`/?tileTemplate=${template}&width=16384&height=16384&tileSize=256&minLevel=0&maxLevel=6&companion=sample&drawer=canvas&prefetch=off&stats=off`);
    await loadedAccelerated(page);
    const after = counters('sample');
    const tiles = after.batchTiles - before.batchTiles;
    expect(after.batchRequests - before.batchRequests).toBeGreaterThan(0);
    expect(tiles).toBeGreaterThan(0);
    expect(after.tileRequests - before.tileRequests).toBe(0);
    expect(tileHost.gets(/\.jpg$/)).toEqual([]);
    await expect.poll(async () => (await statsByMessage(page)).idb.entries).toBeGreaterThanOrEqual(tiles);
    await page.reload();
    await loadedAccelerated(page);
    expect(counters('sample').batchTiles).toBe(after.batchTiles);
    expect(tileHost.gets(/\.jpg$/)).toEqual([]);
  } finally {
    await tileHost.close();
  }
});

// The companion serving a vips DZI folder by OpenSeadragon coordinates is the `layouts` branch's work.
test('a cross-origin .dzi with a companion: tiles arrive in batches, none fetched one by one, a reload fetches none', async ({ page }) => {
  test.slow(); // two page loads and two screenshots on a shared machine
  // The companion serves the same vips folder by OpenSeadragon coordinates (dataset "scan", layout found from scan.dzi).
  const own = await startOwnCompanion({ source: new LocalFolderSource(folder.root) });
  try {
    const hostTiles = host.gets(TILES).length;
    await page.goto(`${own.url}${demoUrl(`${host.url}/scan.dzi`, '&companion=scan')}`);
    await loadedAccelerated(page);
    const scan = own.stats.dataset('scan');
    expect(scan.batchRequests).toBeGreaterThan(0);
    expect(scan.tileRequests).toBe(0);
    expect(host.gets(TILES).length - hostTiles).toBe(0);
    const batched = scan.batchTiles;
    expect(batched).toBeGreaterThan(0);
    await expect.poll(async () => (await statsByMessage(page)).idb.entries).toBeGreaterThanOrEqual(batched);

    await page.reload();
    await loadedAccelerated(page);
    expect(own.stats.dataset('scan').batchTiles).toBe(batched);
    expect(host.gets(TILES).length - hostTiles).toBe(0);
    const accelerated = await viewerPixels(page);

    await page.goto(`${own.url}${demoUrl(`${host.url}/scan.dzi`, '&accelerator=off')}`);
    await page.waitForFunction(() => window.demo?.worker === 'off' && window.demo.fullyLoaded === true, null, { timeout: 30_000 });
    expect((await viewerPixels(page)).equals(accelerated)).toBe(true);
  } finally {
    await own.close();
  }
});

test.describe('never stale', () => {
  let pyramid: Awaited<ReturnType<typeof tempFolder>>;
  let origin: RunningStaticServer;

  test.beforeEach(async () => {
    pyramid = await tempFolder();
    await writeImage(join(pyramid.root, 'fresh.png'), 600, 400, [0, 0, 0]);
    dzsave(join(pyramid.root, 'fresh.png'), pyramid.root, 'fresh');
    origin = await startStaticServer(pyramid.root);
  });

  test.afterEach(async () => {
    await origin.close();
    await pyramid.remove();
  });

  /** Re-tiles the pyramid in place: same geometry (so the same .dzi text), other pixels, a later Last-Modified. */
  async function retile(): Promise<void> {
    await writeImage(join(pyramid.root, 'fresh.png'), 600, 400, [90, 40, 160]);
    dzsave(join(pyramid.root, 'fresh.png'), pyramid.root, 'fresh');
    const later = new Date(Date.now() + 60_000);
    await utimes(join(pyramid.root, 'fresh.dzi'), later, later);
  }

  const readTile = (page: Page, url: string) =>
    page.evaluate(async (u) => {
      const response = await fetch(u);
      return { source: response.headers.get('X-Tile-Source'), bytes: [...new Uint8Array(await response.arrayBuffer())] };
    }, url);

  test('a page that fetches the descriptor gets the re-tiled pyramid on its next load', async ({ page }) => {
    await page.goto(demoUrl(`${origin.url}/fresh.dzi`));
    await loadedAccelerated(page);
    const tile = `${origin.url}${origin.gets(TILES)[0]!.path}`;
    await expect.poll(async () => (await statsByMessage(page)).idb.entries).toBeGreaterThan(0);
    const old = await readTile(page, tile);
    expect(old.source).toBe('memory');

    await retile();
    const fresh = [...(await readFile(join(pyramid.root, new URL(tile).pathname)))];
    expect(fresh).not.toEqual(old.bytes);
    await page.reload();
    await loadedAccelerated(page);
    expect((await readTile(page, tile)).bytes).toEqual(fresh);
  });

  test('a page with inline geometry gets re-tiled tiles once they are older than revalidateAfterMs', async ({ page }) => {
    const inline = { Image: { xmlns: 'http://schemas.microsoft.com/deepzoom/2008', Url: `${origin.url}/fresh_files/`, Format: 'jpeg', Overlap: '1', TileSize: '254', Size: { Width: '600', Height: '400' } } };
    const url = `/?tileSourceJson=${encodeURIComponent(JSON.stringify(inline))}&drawer=canvas&prefetch=off&stats=off&sw.revalidateAfterMs=50`;
    await page.goto(url);
    await loadedAccelerated(page);
    const tiles = origin.gets(TILES).map((r) => `${origin.url}${r.path}`);
    await expect.poll(async () => (await statsByMessage(page)).idb.entries).toBeGreaterThanOrEqual(tiles.length);
    const old = await readTile(page, tiles[0]!);

    await retile();
    const fresh = [...(await readFile(join(pyramid.root, new URL(tiles[0]!).pathname)))];
    expect(fresh).not.toEqual(old.bytes);
    await page.waitForTimeout(100); // past the (tiny) bound
    await page.reload(); // answered from the store at once, each tile revalidated in the background
    await loadedAccelerated(page);
    await expect.poll(async () => ((await statsByMessage(page)) as unknown as { revalidation: { replaced: number } }).revalidation.replaced).toBeGreaterThanOrEqual(tiles.length);
    expect(origin.requests.filter((r) => r.conditional).length).toBeGreaterThanOrEqual(tiles.length);
    const after = await readTile(page, tiles[0]!);
    expect(after.bytes).toEqual(fresh);
  });
});

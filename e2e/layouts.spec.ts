/**
 * The companion path for pyramids made by real `vips dzsave` (DZI 254/1
 * .jpeg, 256/0, .png, IIIF 2 and 3, Zoomify, google) and a bare z/x/y folder
 * (given its descriptor by `describe`, as a user does): the demo at
 * `/?dataset=NAME` (the companion's normalized geometry, tiles by
 * OpenSeadragon coordinates, through the worker's batches) draws exactly what
 * plain OpenSeadragon draws opening the same files directly (canvas pixels
 * compared), and a reload costs the companion no tile request at all.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, expect, type Browser, type Page } from '@playwright/test';
import { LocalFolderSource } from '../src/server/sources/local-folder.ts';
import { startCompanion, type RunningCompanion } from '../src/server/node-server.ts';
import { runDescribe } from '../src/cli/describe.ts';
import { makeVipsPyramids, type VipsPyramids } from '../test/support/vips-pyramids.ts';
import { IN_RUNNER } from './support/in-runner.ts';

const OSD_SCRIPT = 'node_modules/openseadragon/build/openseadragon/openseadragon.min.js';
const NAMES = ['dzi-default', 'dzi-256', 'dzi-png', 'iiif2', 'iiif3', 'zoomify', 'google', 'bare'];

let pyramids: VipsPyramids;
let companion: RunningCompanion;

test.beforeAll(async () => {
  test.setTimeout(180_000);
  pyramids = await makeVipsPyramids({ only: NAMES, width: 3000, height: 2000 });
  await runDescribe({ root: pyramids.root, dataset: 'bare', layout: 'zxy', force: false, log: () => {} });
  companion = await startCompanion({ source: new LocalFolderSource(pyramids.root), staticDir: 'dist', ...IN_RUNNER });
});

test.afterAll(async () => {
  await companion?.close();
  await pyramids?.cleanup();
});

/** How plain OpenSeadragon opens each pyramid straight from its files (below `/plain/files/`). */
function plainTileSource(name: string, base: string): string {
  switch (name) {
    case 'zoomify':
      // OpenSeadragon does not read ImageProperties.xml itself: it takes its numbers.
      return `{ type: 'zoomifytileservice', width: 3000, height: 2000, tileSize: 256, tilesUrl: '${base}/plain/files/zoomify/' }`;
    case 'google':
      // OpenSeadragon's own XYZ recipe: the square world vips pads the image into
      // (256 px tiles, 2^4 across at 3000 px), its default levels, Google z = level - 8.
      return `{ width: 4096, height: 4096, tileSize: 256, minLevel: 8,
        getTileUrl: (level, x, y) => '${base}/plain/files/google/' + (level - 8) + '/' + y + '/' + x + '.jpg' }`;
    case 'bare':
      // The numbers a bare folder's owner knows; levels are OpenSeadragon's defaults (0 = 1 px).
      return `{ width: 3000, height: 2000, tileSize: 256, tileOverlap: 0,
        getTileUrl: (level, x, y) => '${base}/plain/files/bare/' + level + '/' + x + '/' + y + '.jpg' }`;
    case 'dzi-default':
    case 'dzi-256':
    case 'dzi-png':
      return `'${base}/plain/files/${name}.dzi'`;
    default:
      return `'${base}/plain/files/${name}/info.json'`;
  }
}

/** Serves a plain OpenSeadragon page and the fixture files, in a context without the worker. */
async function plainPage(browser: Browser, name: string, size: { width: number; height: number }): Promise<Page> {
  const context = await browser.newContext({ serviceWorkers: 'block' });
  const base = companion.url;
  await context.route(`${base}/plain/**`, async (route) => {
    const path = decodeURIComponent(new URL(route.request().url()).pathname).slice('/plain/'.length);
    if (path === 'index.html') {
      const html = `<!doctype html><html><body style="margin:0;background:#111">
        <div id="v" style="width:${size.width}px;height:${size.height}px"></div>
        <script src="${base}/plain/osd.js"></script>
        <script>
          window.viewer = OpenSeadragon({ id: 'v', drawer: 'canvas', showNavigationControl: false, maxTilesPerFrame: 50, imageLoaderLimit: 0,
            tileSources: ${plainTileSource(name, base)} });
          window.fullyLoaded = false;
          viewer.world.addHandler('add-item', ({ item }) => item.addHandler('fully-loaded-change', (e) => { window.fullyLoaded = e.fullyLoaded; }));
        </script></body></html>`;
      return route.fulfill({ contentType: 'text/html', body: html });
    }
    if (path === 'osd.js') return route.fulfill({ contentType: 'text/javascript', body: await readFile(OSD_SCRIPT) });
    const file = path.slice('files/'.length);
    let body: Buffer;
    try {
      body = await readFile(join(pyramids.root, file));
    } catch {
      // vips writes no tile outside the image for --layout google, and blank.png for the host to serve in their place.
      if (file.startsWith('google/')) return route.fulfill({ body: await readFile(join(pyramids.root, 'google/blank.png')) });
      return route.fulfill({ status: 404, body: 'not found' });
    }
    // vips writes example.com as the IIIF id; a host serving the files sets its own.
    if (file.endsWith('info.json')) body = Buffer.from(body.toString().replace(/https:\/\/example\.com\/iiif\/[^"]+/, `${base}/plain/files/${name}`));
    return route.fulfill({ body });
  });
  const page = await context.newPage();
  await page.goto(`${base}/plain/index.html`);
  await page.waitForFunction(() => (window as unknown as { fullyLoaded: boolean }).fullyLoaded === true, null, { timeout: 30_000 });
  return page;
}

/** The canvas drawer's pixels once the view has settled, as size and SHA-256 of its PNG (equal PNGs are equal pixels). */
async function canvasPixels(page: Page, viewerExpression: string): Promise<string> {
  return page.evaluate(async (expression) => {
    const viewer = (0, eval)(expression) as { world: { needsDraw(): boolean }; drawer: { canvas: HTMLCanvasElement } };
    const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
    for (let i = 0; i < 200 && viewer.world.needsDraw(); i++) await frame();
    await frame();
    await frame();
    const canvas = viewer.drawer.canvas;
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canvas.toDataURL('image/png')));
    const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
    return `${canvas.width}x${canvas.height} ${hex}`;
  }, viewerExpression);
}

for (const name of NAMES) {
  test(`${name}: the demo through the companion draws what plain OpenSeadragon draws, and a reload makes no tile request`, async ({ page, browser }) => {
    test.slow(); // three page loads and three canvas encodes: up to ~45 s each on the shared CI machine
    const demoUrl = `${companion.url}/?dataset=${name}&drawer=canvas&stats=off&prefetch=off`;
    await page.goto(demoUrl);
    await page.waitForFunction(() => window.demo?.fullyLoaded === true, null, { timeout: 30_000 });
    expect(await page.evaluate(() => window.demo.worker)).toBe('controlled');
    const first = companion.stats.dataset(name);
    expect(first.batchTiles).toBeGreaterThan(0);
    expect(first.tileRequests).toBe(0); // batches only: no per-tile GETs
    const accelerated = await canvasPixels(page, 'window.demo.viewer');

    const size = await page.locator('#viewer').evaluate((el) => ({ width: el.clientWidth, height: el.clientHeight }));
    const plain = await plainPage(browser, name, size);
    expect(await canvasPixels(plain, 'window.viewer')).toBe(accelerated);
    await plain.context().close();

    const before = companion.stats.dataset(name);
    await page.reload();
    await page.waitForFunction(() => window.demo?.fullyLoaded === true, null, { timeout: 30_000 });
    const after = companion.stats.dataset(name);
    expect(after.tileRequests + after.batchTiles - before.tileRequests - before.batchTiles).toBe(0);
    expect(after.sourceReads - before.sourceReads).toBe(0);
    expect(await canvasPixels(page, 'window.demo.viewer')).toBe(accelerated);
  });
}

/**
 * Not a test: issue 13's warm-path candidates side by side (docs/worker.md,
 * "Warm path"). Run with
 *   MEASURE=1 npx playwright test e2e/warm-path-measure.spec.ts --workers=1
 * A bare page and worker (not the accelerator's) on 127.0.0.1 fetch the same
 * 40 JPEG tiles of `sample` level 5 and decode each with createImageBitmap,
 * 15 interleaved rounds per candidate: the Static Routing API (`addRoutes`
 * with `source: 'cache'`, Cache Storage answers without running the worker),
 * a worker fetch handler answering from memory (one response per tile, as the
 * per-tile path), one response from worker memory split into tiles (as a page
 * batch); then the HTTP cache on a page no worker controls (localhost origin).
 */
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { execSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { test } from './support/fixtures.ts';

const files = execSync('find data/tiles/sample/5 -name "*.jpg" | sort | head -40').toString().trim().split('\n');
const tiles = files.map((f) => readFileSync(f));

const SW = `
const mem = new Map();
self.addEventListener('install', (e) => {
  e.addRoutes([{ condition: { urlPattern: new URLPattern({ pathname: '/routed/*' }) }, source: 'cache' }]);
  e.waitUntil((async () => {
    const c = await caches.open('t');
    for (let i = 0; i < ${tiles.length}; i++) {
      const r = await fetch('/tiles/' + i + '.jpg');
      const b = await r.blob();
      mem.set(i, b);
      await c.put('/routed/' + i + '.jpg', new Response(b, { headers: { 'Content-Type': 'image/jpeg' } }));
    }
    self.skipWaiting();
  })());
});
self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));
self.addEventListener('fetch', (e) => {
  const u = new URL(e.request.url);
  const m = /^\\/mem\\/(\\d+)\\.jpg$/.exec(u.pathname);
  if (m) {
    const load = async (i) => { let b = mem.get(i); if (!b) { b = await (await fetch('/tiles/' + i + '.jpg')).blob(); mem.set(i, b); } return b; };
    e.respondWith(load(+m[1]).then((b) => new Response(b, { headers: { 'Content-Type': 'image/jpeg' } })));
    return;
  }
  if (u.pathname === '/batch') {
    e.respondWith((async () => {
      const parts = [];
      for (let i = 0; i < ${tiles.length}; i++) { let b = mem.get(i); if (!b) { b = await (await fetch('/tiles/' + i + '.jpg')).blob(); mem.set(i, b); } parts.push(b); }
      const bufs = await Promise.all(parts.map((b) => b.arrayBuffer()));
      return new Response(new Blob(bufs), { headers: { 'Content-Type': 'application/octet-stream' } });
    })());
  }
});`;

test('warm candidates', async ({ browser }) => {
  test.skip(!process.env.MEASURE);
  test.setTimeout(300_000);
  const sizes = tiles.map((t) => t.length);
  const server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    if (url.pathname === '/sw.js') return res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(SW);
    if (url.pathname === '/') return res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><body>x</body>');
    const m = /^\/(tiles|http)\/(\d+)\.jpg$/.exec(url.pathname);
    if (m) return res.writeHead(200, { 'Content-Type': 'image/jpeg', 'Cache-Control': 'max-age=3600' }).end(tiles[+m[2]!]);
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await page.goto(origin + '/');
    await page.evaluate(async () => { await navigator.serviceWorker.register('/sw.js'); await navigator.serviceWorker.ready; });
    await page.reload();
    await page.waitForFunction(() => !!navigator.serviceWorker.controller);
    const out = await page.evaluate(async ({ n, sizes }) => {
      const decode = (b: Blob) => createImageBitmap(b).then((bm) => bm.close());
      const one = (prefix: string, round: number) => Promise.all(Array.from({ length: n }, (_, i) => fetch(`${prefix}${i}.jpg${prefix === '/http/' ? '' : ''}`).then((r) => r.blob()).then(decode)));
      const modes: Record<string, (round: number) => Promise<unknown>> = {
        'static route (cache source)': (r) => one('/routed/', r),
        'worker fetch handler, memory': (r) => one('/mem/', r),
        'one batch from worker memory': async () => {
          const all = await (await fetch('/batch')).blob();
          let at = 0;
          await Promise.all(sizes.map((s) => { const p = decode(all.slice(at, at + s, 'image/jpeg')); at += s; return p; }));
        },
      };
      // warm every path once
      for (const f of Object.values(modes)) await f(0);
      const res: Record<string, number[]> = {};
      for (let round = 1; round <= 15; round++) {
        for (const [name, f] of Object.entries(modes)) {
          const t = performance.now();
          await f(round);
          (res[name] ??= []).push(performance.now() - t);
          await new Promise((r) => setTimeout(r, 30));
        }
      }
      const med = (a: number[]) => a.sort((x, y) => x - y)[a.length >> 1]!.toFixed(1);
      const routed = performance.getEntriesByType('resource').filter((e) => e.name.includes('/routed/')).slice(-3).map((e) => (e as PerformanceResourceTiming).workerStart);
      return Object.entries(res).map(([k, v]) => `${k}: median ${med(v)} ms (min ${Math.min(...v).toFixed(1)})`).join('\n') + `\nrouted workerStart samples: ${routed.join(',')}`;
    }, { n: tiles.length, sizes });
    console.log(out);
    const plain = await context.newPage();
    await plain.goto(origin.replace('127.0.0.1', 'localhost') + '/');
    console.log(await plain.evaluate(async (n) => {
      const decode = (b: Blob) => createImageBitmap(b).then((bm) => bm.close());
      const one = () => Promise.all(Array.from({ length: n }, (_, i) => fetch(`/http/${i}.jpg`).then((r) => r.blob()).then(decode)));
      await one();
      const v: number[] = [];
      for (let round = 1; round <= 15; round++) { const t = performance.now(); await one(); v.push(performance.now() - t); await new Promise((r) => setTimeout(r, 30)); }
      const ctl = !!navigator.serviceWorker.controller;
      return `HTTP cache, uncontrolled page (controlled=${ctl}): median ${v.sort((x, y) => x - y)[7]!.toFixed(1)} ms (min ${Math.min(...v).toFixed(1)})`;
    }, tiles.length));
  } finally {
    await context.close();
    server.close();
  }
});

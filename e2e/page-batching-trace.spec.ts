/**
 * Not a test: a timeline of one cold and one warm 2x zoom (docs/worker.md,
 * "Where a page batch's time goes"). Run with
 *   MEASURE=1 npx playwright test e2e/page-batching-trace.spec.ts --workers=1
 * `CONFIGS` lists demo queries separated by `;`, each optionally prefixed by
 * a built demo folder and `|` (to compare two builds in one run, interleaved);
 * `UPSTREAM_MS` (100) per tile object, `REPEAT` (3), `PROFILE=1` adds a CPU
 * profile of the page's main thread during the warm zoom. Per zoom it prints,
 * in ms from the zoom call: when OSD added and the loader flushed the jobs
 * (and whether by the draw's clear() or its timer), when the batch left and
 * its headers came, the first and last stream chunk, each job's finish, each
 * tile-loaded, long-task time, and the CPU time every Chromium process and
 * this Node process (the companion) spent, from SystemInfo.getProcessInfo:
 * the one figure a loaded machine does not inflate much.
 */
import type { Page } from '@playwright/test';
import { LocalFolderSource } from '../src/server/sources/local-folder.ts';
import { test } from './support/fixtures.ts';
import { slowObjectSource, startOwnCompanion } from './support/worker.ts';

const UPSTREAM_MS = Number(process.env.UPSTREAM_MS ?? 100);
const REPEAT = Number(process.env.REPEAT ?? 3);
const CONFIGS = (process.env.CONFIGS ?? 'pagebatch=off;pagebatch=on;pagebatch=on&sw=off').split(';');


async function settle(page: Page) {
  await page.waitForFunction(() => window.demo?.viewer?.world.getItemAt(0)?.getFullyLoaded() === true, null, { timeout: 30_000 });
}

async function instrument(page: Page) {
  await page.evaluate(() => {
    const w = window as any;
    const viewer = w.demo.viewer;
    const log: any[] = (w.__log = []);
    const t = () => Math.round(performance.now() * 10) / 10;
    const loader = viewer.imageLoader;
    const stage = loader._stageJobForBatching;
    loader._stageJobForBatching = function (job: any, source: any) { log.push(['stage', t()]); return stage.call(this, job, source); };
    const flush = loader._flushBatchBucket;
    loader._flushBatchBucket = function (bucket: any) { log.push(['flush', t(), bucket.jobs.length, bucket.timer ? 'clear/max' : 'timer']); return flush.call(this, bucket); };
    const addJob = loader.addJob;
    loader.addJob = function (o: any) { log.push(['add', t()]); return addJob.call(this, o); };
    const src = viewer.world.getItemAt(0).source;
    const bs = src.downloadTileBatchStart;
    if (bs) src.downloadTileBatchStart = function (b: any) {
      log.push(['bstart', t(), b.jobs.length]);
      for (const j of b.jobs) { const f = j.finish; j.finish = function (...a: any[]) { log.push(['fin', t()]); return f.apply(this, a); }; }
      return bs.call(this, b);
    };
    const f = w.fetch;
    w.fetch = async function (...a: any[]) {
      const s = t();
      const r = await f.apply(this, a);
      log.push(['fetch-headers', t(), s]);
      if (r.body && String(a[0]).endsWith('/batch')) {
        const [x, y] = r.body.tee();
        const rd = x.getReader();
        (async () => { for (;;) { const { done, value } = await rd.read(); if (done) { log.push(['eos', t()]); break; } log.push(['chunk', t(), value.length]); } })();
        return new Response(y, { status: r.status, headers: r.headers });
      }
      return r;
    };
    w.__long = 0;
    new PerformanceObserver((l) => { for (const e of l.getEntries()) w.__long += e.duration; }).observe({ type: 'longtask' });
    viewer.addHandler('tile-loaded', () => log.push(['loaded', t()]));
    viewer.addHandler('update-viewport', () => log.push(['frame', t()]));
  });
}

async function cpu(page: Page): Promise<Record<string, number>> {
  const b = await page.context().browser()!.newBrowserCDPSession();
  const { processInfo } = (await b.send('SystemInfo.getProcessInfo')) as any;
  await b.detach();
  const out: Record<string, number> = { node: process.cpuUsage().user / 1000 + process.cpuUsage().system / 1000 };
  for (const p of processInfo) out[p.type] = (out[p.type] ?? 0) + p.cpuTime * 1000;
  return out;
}

async function zoom(page: Page) {
  const c0 = await cpu(page);
  const r = await zoom0(page);
  await page.waitForTimeout(200);
  const c1 = await cpu(page);
  const d: Record<string, number> = {};
  for (const k of Object.keys(c1)) d[k] = Math.round(c1[k]! - (c0[k] ?? 0));
  return { ...r, cpu: d };
}

async function zoom0(page: Page) {
  const t0 = await page.evaluate(() => {
    (window as any).__log.length = 0;
    const v = window.demo.viewer!.viewport;
    const t = performance.now();
    (window as any).__t0 = t;
    v.zoomBy(2, undefined, true);
    v.applyConstraints(true);
    return t;
  });
  await page.waitForFunction(() => { const b = document.body.dataset['fullyLoaded']; const w = window as any; return w.__log.some((e: any) => e[0] === 'loaded') && window.demo.viewer!.world.getItemAt(0)!.getFullyLoaded(); }, null, { timeout: 30_000, polling: 'raf' });
  return page.evaluate((t0) => {
    const log = (window as any).__log as any[];
    const end = performance.now();
    const rel = (x: number) => Math.round(x - t0);
    const of = (k: string) => log.filter((e) => e[0] === k);
    const loaded = of('loaded');
    return {
      total: rel(end),
      adds: of('add').length, firstAdd: rel(of('add')[0]?.[1] ?? t0), lastAdd: rel(of('add').at(-1)?.[1] ?? t0),
      flushes: of('flush').map((e) => `${rel(e[1])}:${e[2]}:${e[3]}`).join(' '),
      bstarts: of('bstart').map((e) => `${rel(e[1])}:${e[2]}`).join(' '),
      fetches: of('fetch-headers').map((e) => `${rel(e[2])}->${rel(e[1])}`).join(' '),
      firstFin: rel(of('fin')[0]?.[1] ?? t0), lastFin: rel(of('fin').at(-1)?.[1] ?? t0),
      firstLoaded: rel(loaded[0]?.[1] ?? t0), lastLoaded: rel(loaded.at(-1)?.[1] ?? t0), nLoaded: loaded.length,
      frames: of('frame').length,
      chunks: of('chunk').length, firstChunk: rel(of('chunk')[1]?.[1] ?? t0), lastChunk: rel(of('chunk').at(-1)?.[1] ?? t0), eos: rel(of('eos')[0]?.[1] ?? t0),
      fins: of('fin').map((e) => rel(e[1])).join(','),
      long: Math.round((window as any).__long ?? 0),
    };
  }, t0);
}

test.describe('trace', () => {
  test.skip(!process.env.MEASURE, 'MEASURE=1');
  test.setTimeout(600_000);
  test('trace', async ({ browser }) => {
    for (let i = 0; i < REPEAT; i++) {
      for (const cq of CONFIGS) {
        const [dir, q] = cq.includes('|') ? cq.split('|') as [string, string] : ['dist', cq];
        const own = await startOwnCompanion({ staticDir: dir, source: slowObjectSource(new LocalFolderSource('data/tiles'), UPSTREAM_MS) });
        const context = await browser.newContext();
        const page = await context.newPage();
        try {
          await page.goto(`${own.url}/?drawer=canvas&prefetch=off&stats=off&offline=off&dataset=mixed&${q}`);
          await settle(page);
          await page.goto(`${own.url}/?drawer=canvas&prefetch=off&stats=off&offline=off&dataset=sample&${q}`);
          await settle(page);
          await page.waitForTimeout(300);
          await instrument(page);
          const cold = await zoom(page);
          console.log(cq, 'COLD', JSON.stringify(cold));
          await page.reload();
          await settle(page);
          await page.waitForTimeout(300);
          await instrument(page);
          if (!process.env.PROFILE) {
            console.log(cq, 'WARM', JSON.stringify(await zoom(page)));
            continue;
          }
          const cdp = await context.newCDPSession(page);
          await cdp.send('Profiler.enable');
          await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
          await cdp.send('Profiler.start');
          const warm = await zoom(page);
          const { profile } = await cdp.send('Profiler.stop') as any;
          const self = new Map<string, number>();
          const dt = profile.timeDeltas as number[];
          const byId = new Map<number, any>(profile.nodes.map((n: any) => [n.id, n]));
          profile.samples.forEach((id: number, i: number) => {
            const n = byId.get(id); const cf = n.callFrame;
            const name = `${cf.functionName || '(anon)'} ${cf.url.split('/').pop()}:${cf.lineNumber}`;
            self.set(name, (self.get(name) ?? 0) + (dt[i] ?? 0) / 1000);
          });
          const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 14).map(([k, v]) => `${Math.round(v)}ms ${k}`);
          console.log(cq, 'PROFILE', top.join(' | ')); // zoom to tiles seen before? reload resets to home; zoom again = warm tiles
          console.log(cq, 'WARM', JSON.stringify(warm));
        } finally {
          await context.close();
          await own.close();
        }
      }
    }
  });
});

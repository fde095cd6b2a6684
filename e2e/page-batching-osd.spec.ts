/**
 * OpenSeadragon 6.1.1's batch/abort defects (src/client/osd-batch-workarounds.ts),
 * one test each. Every test drives the viewer's real ImageLoader with jobs of
 * its own against a real companion, once with the workaround (healthy) and
 * once without it (`?pagebatch.fix.<defect>=off`: the defect shows), so each
 * proves both that the defect exists in the OSD we ship and that the
 * workaround removes it. States are read at points where nothing else can
 * change them (no timing assertions).
 */
import { test as base, expect, type Page } from '@playwright/test';
import { LocalFolderSource } from '../src/server/sources/local-folder.ts';
import { startCompanion, type RunningCompanion } from '../src/server/node-server.ts';
import { TILES_DIR, waitForFullyLoaded } from './support/fixtures.ts';
import { IN_RUNNER } from './support/in-runner.ts';

interface GatedCompanion extends RunningCompanion {
  /** Page batches wait at the gate while held. */
  hold(): void;
  release(): void;
  held(): number;
  /** Page batches whose client went away while they were held. */
  abortedWhileHeld(): number;
  /** Answer page batches with 503 while on. */
  failPageBatches(on: boolean): void;
}

async function startGatedCompanion(): Promise<GatedCompanion> {
  let gate: Promise<void> | null = null;
  let open = () => {};
  let waiting = 0;
  let aborted = 0;
  const state = { failPageBatches: false };
  const companion = await startCompanion({
    ...IN_RUNNER,
    source: new LocalFolderSource(TILES_DIR),
    staticDir: 'dist',
    intercept: async (request) => {
      if (request.method !== 'POST' || request.headers.get('x-tile-batch') !== 'page') return undefined;
      if (state.failPageBatches) return new Response('{"error":{"code":"INTERNAL","message":"test"}}', { status: 503 });
      if (gate) {
        waiting += 1;
        const gone = new Promise<void>((resolve) => request.signal.addEventListener('abort', () => resolve(), { once: true }));
        if ((await Promise.race([gate.then(() => 'open'), gone.then(() => 'gone')])) === 'gone') aborted += 1;
        waiting -= 1;
      }
      return undefined;
    },
  });
  return Object.assign(companion, {
    failPageBatches(on: boolean) {
      state.failPageBatches = on;
    },
    hold() {
      gate ??= new Promise<void>((resolve) => (open = resolve));
    },
    release() {
      open();
      gate = null;
    },
    held: () => waiting,
    abortedWhileHeld: () => aborted,
  }) as GatedCompanion;
}

const test = base.extend<{ gated: GatedCompanion }>({
  gated: async ({}, use) => {
    const companion = await startGatedCompanion();
    await use(companion);
    companion.release();
    await companion.close();
  },
  baseURL: async ({ gated }, use) => use(gated.url),
});

/**
 * In the page: adds jobs for full-resolution tiles (level 6, row `row`) of the
 * viewer's item straight to `loader` (the viewer's by default), as TiledImage
 * does, and records how each one ends: its callback (loaded or failed) or its
 * abort (the tile stops "loading").
 */
const HELPERS = `
window.pb = {
  waiters: [],
  addJobs(count, row, loader) {
    const viewer = window.demo.viewer;
    loader = loader || viewer.imageLoader;
    window.pb.loader = loader;
    const item = viewer.world.getItemAt(0);
    const source = window.pb.source || item.source;
    const results = [];
    const jobs = [];
    for (let x = 0; x < count; x++) {
      const tile = { level: 6, x, y: row, loading: true, tiledImage: item };
      const result = { tile, outcome: null, calls: [] };
      results.push(result);
      jobs.push(new Promise((resolve) => {
        loader.addJob({
          src: source.getTileUrl(6, x, row), tile, source,
          callback: (data) => {
            tile.loading = false;
            result.outcome = data ? 'loaded' : 'failed';
            result.calls.push(result.outcome);
            resolve();
            window.pb.check();
          },
          abort: () => { tile.loading = false; result.outcome = result.outcome || 'aborted'; resolve(); },
        });
      }));
    }
    window.pb.results = results;
    window.pb.settled = Promise.all(jobs);
    return results;
  },
  /** Once every job's callback ran n times (\`some\`: any job's), after that task: the loader's jobsInProgress. */
  calls(n, some) {
    return new Promise((resolve) => { window.pb.waiters.push({ n, some, resolve }); window.pb.check(); });
  },
  check() {
    window.pb.waiters = window.pb.waiters.filter((w) => {
      const done = (r) => r.calls.length >= w.n;
      if (!(w.some ? window.pb.results.some(done) : window.pb.results.every(done))) return true;
      setTimeout(() => w.resolve(window.pb.loader.jobsInProgress), 0);
      return false;
    });
  },
  summary() {
    const out = {};
    for (const r of window.pb.results) out[r.outcome || 'pending'] = (out[r.outcome || 'pending'] || 0) + 1;
    return out;
  },
};`;

async function openViewer(page: Page, query: string): Promise<void> {
  // sw=off: no service worker, so the page's own batch goes straight to the
  // companion, which holds, fails or sees the abort of exactly that request:
  // these are defects of OpenSeadragon's loader on the page. (A worker in the
  // middle answers page batches itself and does not pass the page's abort on
  // to its own upstream request.)
  await page.goto(`/?drawer=canvas&prefetch=off&stats=off&pagebatch=on&sw=off${query}`);
  // Without clearStaged the home view itself never loads (OSD clears on every draw): wait for the item only.
  if (query.includes('clearStaged=off')) await page.waitForFunction(() => (window.demo?.viewer?.world.getItemCount() ?? 0) > 0 && window.demo.accelerator);
  else await waitForFullyLoaded(page);
  await page.addScriptTag({ content: HELPERS });
}

const summary = (page: Page) => page.evaluate(() => (window as unknown as { pb: { summary(): Record<string, number> } }).pb.summary());
const settled = (page: Page) => page.evaluate(() => (window as unknown as { pb: { settled: Promise<void> } }).pb.settled);
const inProgress = (page: Page) => page.evaluate(() => window.demo.viewer!.imageLoader.jobsInProgress);

test('timeoutAbort: a batch OSD times out aborts its request, so it stops holding a connection', async ({ page, gated }) => {
  for (const fixed of [true, false]) {
    await openViewer(page, fixed ? '' : '&pagebatch.fix.timeoutAbort=off');
    const abortedBefore = gated.abortedWhileHeld();
    gated.hold();
    await page.evaluate((row) => {
      window.demo.viewer!.imageLoader.timeout = 300; // OSD's own job timeout (30 s by default)
      (window as unknown as { pb: { addJobs(n: number, row: number): void } }).pb.addJobs(4, row);
    }, fixed ? 10 : 11);
    await expect.poll(() => gated.held()).toBe(1);
    await settled(page); // every job failed by OSD's timeout
    expect(await summary(page)).toEqual({ failed: 4 });
    if (fixed) {
      await expect.poll(() => gated.abortedWhileHeld() - abortedBefore).toBe(1);
      expect(gated.held()).toBe(0);
      expect(await inProgress(page)).toBe(0);
    } else {
      // 6.1.1: the jobs are failed, yet the request is still open at the server.
      await page.evaluate(() => fetch('/api/tiles/sample/info').then((r) => r.text()));
      expect(gated.held()).toBe(1);
      expect(gated.abortedWhileHeld() - abortedBefore).toBe(0);
      // ...and the batch's completion ran twice (once per child loop, once more in fail).
      expect(await inProgress(page)).toBe(-1);
    }
    gated.release();
  }
});

test('clearStaged: ImageLoader.clear() leaves no staged batch job orphaned in "loading"', async ({ page }) => {
  for (const fixed of [true, false]) {
    await openViewer(page, fixed ? '' : '&pagebatch.fix.clearStaged=off');
    const state = await page.evaluate(() => {
      const viewer = window.demo.viewer!;
      const loader = viewer.imageLoader as unknown as { _batchBuckets: unknown[]; jobQueue: unknown[] };
      const pb = (window as unknown as { pb: { addJobs(n: number, row: number): Array<{ tile: { loading: boolean }; outcome: string | null }> } }).pb;
      const before = window.demo.accelerator!.batching!.stats.batches;
      // Staged, waiting for the bucket's timer; then cleared in the same task, as a draw does.
      const results = pb.addJobs(3, 12);
      const staged = loader._batchBuckets.length;
      viewer.imageLoader.clear();
      return {
        staged,
        bucketsAfter: loader._batchBuckets.length,
        queued: loader.jobQueue.length,
        batchesStarted: window.demo.accelerator!.batching!.stats.batches - before,
        settledNow: results.filter((r) => r.outcome !== null).length,
        loading: results.filter((r) => r.tile.loading).length,
      };
    });
    expect(state).toMatchObject({ staged: 1, bucketsAfter: 0, queued: 0 });
    if (fixed) {
      // Still in the world: the staged jobs left as a batch at once, and all load.
      expect(state.batchesStarted).toBe(1);
      await settled(page);
      expect(await summary(page)).toEqual({ loaded: 3 });
    } else {
      // 6.1.1: no bucket, no queue, no batch, no abort holds them: their tiles stay "loading" for good.
      expect(state.batchesStarted).toBe(0);
      expect(state.settledNow).toBe(0);
      expect(state.loading).toBe(3);
    }
  }
});

test('clearStaged: staged jobs of an item that left the world are aborted, not sent', async ({ page }) => {
  await openViewer(page, '');
  const state = await page.evaluate(() => {
    const viewer = window.demo.viewer!;
    const pb = (window as unknown as { pb: { addJobs(n: number, row: number): Array<{ tile: { loading: boolean }; outcome: string | null }> } }).pb;
    const before = window.demo.accelerator!.batching!.stats.batches;
    const results = pb.addJobs(3, 13);
    viewer.world.removeAll();
    viewer.imageLoader.clear();
    return { batches: window.demo.accelerator!.batching!.stats.batches - before, outcomes: results.map((r) => r.outcome), loading: results.filter((r) => r.tile.loading).length };
  });
  expect(state).toEqual({ batches: 0, outcomes: ['aborted', 'aborted', 'aborted'], loading: 0 });
});

test('retriedChild: a failed batch child is retried alone, completes, and jobsInProgress stays true', async ({ page, gated }) => {
  for (const fixed of [true, false]) {
    await openViewer(page, fixed ? '' : '&pagebatch.fix.retriedChild=off');
    gated.failPageBatches(true); // the page batch answers 503: every child fails once
    const inProgressAfterFailure = await page.evaluate((row) => {
      const loader = window.demo.viewer!.imageLoader as unknown as { tileRetryMax: number; tileRetryDelay: number };
      loader.tileRetryMax = 1;
      loader.tileRetryDelay = 0;
      const pb = (window as unknown as { pb: { addJobs(n: number, row: number): unknown; calls(n: number): Promise<number> } }).pb;
      pb.addJobs(3, row);
      return pb.calls(1);
    }, fixed ? 14 : 15);
    gated.failPageBatches(false);
    if (fixed) {
      // Three retries in flight, counted as three; each completes through the single-tile path.
      expect(inProgressAfterFailure).toBe(3);
      const final = await page.evaluate(() => (window as unknown as { pb: { calls(n: number): Promise<number> } }).pb.calls(2));
      expect(await summary(page)).toEqual({ loaded: 3 });
      expect(final).toBe(0);
    } else {
      // 6.1.1: three retries in flight, counted as none...
      expect(inProgressAfterFailure).toBe(0);
      // ...and they cannot finish: their images arrive, but finish/fail are still the finished batch's, which ignore them.
      await page.waitForFunction(
        () => performance.getEntriesByType('resource').filter((e) => /\/api\/tiles\/sample\/6\/\d\/15\.jpg$/.test(e.name)).length === 3,
      );
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0))));
      const calls = await page.evaluate(() => (window as unknown as { pb: { results: Array<{ calls: string[] }> } }).pb.results.map((r) => r.calls));
      expect(calls).toEqual([['failed'], ['failed'], ['failed']]);
    }
  }
});

test('drainQueue: with imageLoaderLimit > 0, a finished batch starts the next queued one', async ({ page }) => {
  for (const fixed of [true, false]) {
    await openViewer(page, fixed ? '' : '&pagebatch.fix.drainQueue=off');
    const afterFirst = await page.evaluate((row) => {
      const viewer = window.demo.viewer!;
      type Loader = { jobQueue: unknown[]; jobsInProgress: number };
      // A loader of its own with a limit of 1, and a source that batches one tile at a time:
      // the first batch runs, the other two wait in the queue.
      // (OSD's bundle keeps no reachable ImageLoader constructor: build one as it does.)
      const loader = Object.assign(Object.create(Object.getPrototypeOf(viewer.imageLoader) as object) as Loader, {
        jobLimit: 1, timeout: 30_000, jobQueue: [], failedTiles: [], jobsInProgress: 0, tileRetryMax: 0, tileRetryDelay: 0, _batchBuckets: [],
      });
      const source = Object.create(viewer.world.getItemAt(0).source) as { batchMaxJobs(): number };
      window.demo.accelerator!.batching!.hook(source as never, loader as never);
      source.batchMaxJobs = () => 1;
      const pb = (window as unknown as { pb: { source: unknown; addJobs(n: number, row: number, loader: unknown): unknown; calls(n: number, some?: boolean): Promise<number> } }).pb;
      pb.source = source;
      pb.addJobs(3, row, loader);
      const queuedAtStart = loader.jobQueue.length;
      return pb.calls(1, true).then((inProgress) => ({ queuedAtStart, inProgress, queued: loader.jobQueue.length }));
    }, fixed ? 16 : 17);
    expect(afterFirst.queuedAtStart).toBe(2);
    if (fixed) {
      expect(afterFirst).toMatchObject({ inProgress: 1, queued: 1 });
      const final = await page.evaluate(() => (window as unknown as { pb: { calls(n: number): Promise<number> } }).pb.calls(1));
      expect(await summary(page)).toEqual({ loaded: 3 });
      expect(final).toBe(0);
    } else {
      // 6.1.1: nothing runs, two batches queued, and nothing will ever start them.
      expect(afterFirst).toMatchObject({ inProgress: 0, queued: 2 });
    }
  }
});

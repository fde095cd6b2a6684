/**
 * Fixtures for the viewer specs: a companion per test (fresh counters) that
 * records every tile key that reaches it, one by one or inside batches, and
 * can hold batch requests until the test releases them (to keep tiles queued
 * in the worker while the view moves: a gate the test opens, not a timer).
 */
import { test as base, expect, type Page } from '@playwright/test';
import { LocalFolderSource } from '../../src/server/sources/local-folder.ts';
import { startCompanion, type RunningCompanion } from '../../src/server/node-server.ts';
import { matchTilePath } from '../../src/shared/dataset-path.ts';
import { TILES_DIR } from './fixtures.ts';
import type { PrefetchStats, WorkerReport } from '../../src/shared/worker-report.ts';
import { IN_RUNNER } from './in-runner.ts';

export interface RecordingCompanion extends RunningCompanion {
  /** `dataset/z/x/y.ext` of every tile asked for upstream, in arrival order. */
  upstream: string[];
  /** Batch requests wait until `release()` while held. */
  hold(): void;
  release(): void;
  /** Batch requests waiting at the gate now. */
  held(): number;
}

export async function startRecordingCompanion(staticDir = 'dist'): Promise<RecordingCompanion> {
  const upstream: string[] = [];
  let gate: Promise<void> | null = null;
  let open: () => void = () => {};
  let waiting = 0;
  const companion = await startCompanion({
    ...IN_RUNNER,
    source: new LocalFolderSource(TILES_DIR),
    staticDir,
    intercept: async (request) => {
      const url = new URL(request.url);
      const batch = /^\/api\/tiles\/([^/]+)\/batch$/.exec(url.pathname);
      if (batch && request.method === 'POST') {
        const body = (await request.clone().json()) as { tiles?: string[] };
        for (const tile of body.tiles ?? []) upstream.push(`${decodeURIComponent(batch[1]!)}/${tile}`);
        if (gate) {
          waiting += 1;
          await gate;
          waiting -= 1;
        }
        return undefined;
      }
      const tile = matchTilePath(url.pathname);
      if (tile) upstream.push(`${tile.dataset}/${tile.z}/${tile.x}/${tile.y}.${tile.ext}`);
      return undefined;
    },
  });
  return Object.assign(companion, {
    upstream,
    hold() {
      gate ??= new Promise<void>((resolve) => (open = resolve));
    },
    release() {
      open();
      gate = null;
    },
    held: () => waiting,
  });
}

export const test = base.extend<{ recording: RecordingCompanion }>({
  recording: async ({}, use) => {
    const companion = await startRecordingCompanion();
    await use(companion);
    companion.release();
    await companion.close();
  },
  baseURL: async ({ recording }, use) => use(recording.url),
});

export { expect };

/** The worker's stats report (`/__tile-accelerator/stats`), fetched through the page. */
export async function workerStats(page: Page): Promise<WorkerReport & { prefetch: PrefetchStats }> {
  return page.evaluate(async () => (await fetch('/__tile-accelerator/stats')).json());
}

/** Waits until the page reported a settled view and the worker has run (and finished) a prefetch for every one it reported. */
export async function waitForPrefetch(page: Page): Promise<void> {
  await expect
    .poll(
      async () => {
        const reporter = await page.evaluate(() => ({ settled: window.demo.accelerator!.reporter.lastView?.settled === true, reports: window.demo.accelerator!.reporter.settledReports }));
        const { prefetch } = await workerStats(page);
        return reporter.settled && prefetch.runs >= reporter.reports && prefetch.active === 0;
      },
      { timeout: 20_000 },
    )
    .toBe(true);
}

/** Tile keys (`dataset/z/x/y.jpg`) OSD would draw for the page's current view at levels <= the drawn one. */
export async function visibleTiles(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const view = window.demo.accelerator!.reporter.currentView(true)!;
    const keys: string[] = [];
    const { info, rect } = view;
    for (let z = view.level; z >= Math.max(info.minLevel, view.level - 1); z -= 1) {
      const size = info.tileSize * 2 ** (info.maxLevel - z);
      const cols = Math.ceil(Math.ceil(info.width / 2 ** (info.maxLevel - z)) / info.tileSize);
      const rows = Math.ceil(Math.ceil(info.height / 2 ** (info.maxLevel - z)) / info.tileSize);
      for (let x = Math.max(0, Math.floor(rect.x / size)); x <= Math.min(cols - 1, Math.floor((rect.x + rect.width) / size)); x += 1) {
        for (let y = Math.max(0, Math.floor(rect.y / size)); y <= Math.min(rows - 1, Math.floor((rect.y + rect.height) / size)); y += 1) {
          keys.push(`${view.dataset}/${z}/${x}/${y}.${info.format}`);
        }
      }
    }
    return keys;
  });
}

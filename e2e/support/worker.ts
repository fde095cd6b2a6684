/**
 * Helpers for the worker specs: read the worker's stats the two ways a
 * developer can (a message, the virtual endpoint), start a companion of our
 * own (to make endpoints fail, or serve fixture tiles), and stop the worker
 * while the profile (and so IndexedDB) stays.
 */
import type { BrowserContext, Page } from '@playwright/test';
import { LocalFolderSource } from '../../src/server/sources/local-folder.ts';
import { startCompanion, type CompanionServerOptions, type RunningCompanion } from '../../src/server/node-server.ts';
import { TILES_DIR } from './fixtures.ts';

/** The worker's stats report (see src/sw/worker-stats.ts and accelerator.ts). */
export interface WorkerReport {
  requests: number;
  hits: Record<'memory' | 'idb' | 'batch' | 'network', number>;
  batches: number;
  batchTiles: number;
  batchFailures: number;
  fallbacks: number;
  joined: number;
  idbEvictions: number;
  idb: { available: boolean; bytes: number; entries: number; budget: number };
  memory: { bytes: number; entries: number };
}

export async function statsByMessage(page: Page): Promise<WorkerReport> {
  return page.evaluate(
    () =>
      new Promise<WorkerReport>((resolve, reject) => {
        const worker = navigator.serviceWorker.controller;
        if (!worker) return reject(new Error('page is not controlled by the worker'));
        const channel = new MessageChannel();
        channel.port1.onmessage = (event) => resolve((event.data as { stats: WorkerReport }).stats);
        worker.postMessage({ type: 'stats' }, [channel.port2]);
      }),
  );
}

export async function statsByEndpoint(page: Page): Promise<WorkerReport> {
  return page.evaluate(async () => (await fetch('/__tile-accelerator/stats')).json() as Promise<WorkerReport>);
}

export async function startOwnCompanion(options: Partial<CompanionServerOptions> = {}): Promise<RunningCompanion> {
  return startCompanion({ source: new LocalFolderSource(TILES_DIR), staticDir: 'dist', ...options });
}

/** Stops every service worker of the context (DevTools' "stop"); the next fetch starts it afresh. */
export async function stopWorkers(context: BrowserContext, page: Page): Promise<void> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('ServiceWorker.enable');
  await cdp.send('ServiceWorker.stopAllWorkers');
  await cdp.detach();
}

/** Tile responses the page saw (status, source), filtered to tile URLs. */
export function recordTileStatuses(page: Page): Array<{ url: string; status: number; source: string | null; timing: string | null }> {
  const seen: Array<{ url: string; status: number; source: string | null; timing: string | null }> = [];
  page.on('response', (response) => {
    const path = new URL(response.url()).pathname;
    if (!path.startsWith('/api/tiles/') || !/\/\d+\/\d+\/\d+\.\w+$/.test(path)) return;
    const headers = response.headers();
    seen.push({ url: response.url(), status: response.status(), source: headers['x-tile-source'] ?? null, timing: headers['server-timing'] ?? null });
  });
  return seen;
}

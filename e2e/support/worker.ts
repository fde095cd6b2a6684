/**
 * Helpers for the worker specs: read the worker's stats the two ways a
 * developer can (a message, the virtual endpoint), start a companion of our
 * own (to make endpoints fail, or serve fixture tiles), and stop the worker
 * while the profile (and so IndexedDB) stays.
 */
import type { BrowserContext, Page } from '@playwright/test';
import { LocalFolderSource } from '../../src/server/sources/local-folder.ts';
import type { ObjectSource } from '../../src/server/object-source.ts';
import { startCompanion, type CompanionServerOptions, type RunningCompanion } from '../../src/server/node-server.ts';
import { CONTROL_PROTOCOL_VERSION, controlRequest, parseControlReply, type WorkerReport } from '../../src/shared/worker-report.ts';
import { TILES_DIR } from './fixtures.ts';
import { IN_RUNNER } from './in-runner.ts';

export type { WorkerReport };

/** The report by the versioned `stats` control message, checked as the page's `requestWorkerReport` checks it. */
export async function statsByMessage(page: Page): Promise<WorkerReport> {
  const reply = await page.evaluate(
    (message) =>
      new Promise<unknown>((resolve, reject) => {
        const worker = navigator.serviceWorker.controller;
        if (!worker) return reject(new Error('page is not controlled by the worker'));
        const channel = new MessageChannel();
        channel.port1.onmessage = (event) => resolve(event.data);
        worker.postMessage(message, [channel.port2]);
      }),
    controlRequest('stats'),
  );
  const parsed = parseControlReply(reply);
  if (!parsed) throw new Error(`the worker answered something else than a control reply: ${JSON.stringify(reply).slice(0, 200)}`);
  return parsed.report;
}

/** The report by `GET /__tile-accelerator/stats`. */
export async function statsByEndpoint(page: Page): Promise<WorkerReport> {
  const report = await page.evaluate(async () => (await fetch('/__tile-accelerator/stats')).json() as Promise<WorkerReport>);
  if (report.version !== CONTROL_PROTOCOL_VERSION) throw new Error(`worker report version ${String(report.version)}, expected ${CONTROL_PROTOCOL_VERSION}`);
  return report;
}

export async function startOwnCompanion(options: Partial<CompanionServerOptions> = {}): Promise<RunningCompanion> {
  return startCompanion({ source: new LocalFolderSource(TILES_DIR), staticDir: 'dist', ...IN_RUNNER, ...options });
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

/** Every key (`dataset@version/z/x/y`) in the worker's IndexedDB tile store, read from the page. */
export async function storedTileKeys(page: Page): Promise<string[]> {
  return page.evaluate(
    () =>
      new Promise<string[]>((resolve, reject) => {
        const open = indexedDB.open('tile-accelerator');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const all = open.result.transaction('tiles').objectStore('tiles').getAllKeys();
          all.onerror = () => reject(all.error);
          all.onsuccess = () => {
            resolve(all.result.map(String));
            open.result.close();
          };
        };
      }),
  );
}

/** `source` with `ms` of latency before every tile object (descriptors answer at once): an object store's GET, for measure specs. */
export function slowObjectSource(source: ObjectSource, ms: number): ObjectSource {
  return {
    kind: `${source.kind}+${ms}ms`,
    getObject: async (key, signal, dataset) => {
      if (/\.(jpe?g|png|webp)$/.test(key)) await new Promise((resolve) => setTimeout(resolve, ms));
      return source.getObject(key, signal, dataset);
    },
  };
}

/**
 * The Worker engine for the Playwright specs: `wrangler dev` (workerd, the
 * repository's wrangler.toml: R2 binding and the built demo as static
 * assets) on a free port of 127.0.0.1, its local R2 bucket persisted in a
 * temp folder and filled by scripts/fill-local-r2.mjs from a generated
 * dataset. Counters come from the Worker's own cache-stats endpoint.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import type { CacheStatsBody } from '../../src/server/routes/cache-routes.ts';
import type { DatasetCounters } from '../../src/server/stats.ts';

/** 4096 x 4096 px in 256-px tiles, levels 0-4 (341 tiles): a home view of 16 tiles, a 4x zoom of ~20. */
export const WORKERD_DATASET = 'workerd-fixture';
const INFO = { width: 4096, height: 4096, tileSize: 256, overlap: 0, minLevel: 0, maxLevel: 4, format: 'jpg', version: 'w1' };

export interface RunningWorkerd {
  url: string;
  counters(dataset?: string): Promise<DatasetCounters>;
  stats(dataset?: string): Promise<CacheStatsBody>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function writeFixture(root: string): Promise<void> {
  for (let z = 0; z <= INFO.maxLevel; z += 1) {
    // One colour per level, so a screenshot shows which level is drawn.
    const tile = await sharp({ create: { width: 256, height: 256, channels: 3, background: { r: 40 * z, g: 120, b: 200 - 40 * z } } }).jpeg().toBuffer();
    const across = 2 ** z;
    for (let x = 0; x < across; x += 1) {
      await mkdir(join(root, WORKERD_DATASET, String(z), String(x)), { recursive: true });
      for (let y = 0; y < across; y += 1) await writeFile(join(root, WORKERD_DATASET, String(z), String(x), `${y}.jpg`), tile);
    }
  }
  await writeFile(join(root, WORKERD_DATASET, 'info.json'), JSON.stringify(INFO));
}

export async function startWorkerd(): Promise<RunningWorkerd> {
  const dir = await mkdtemp(join(tmpdir(), 'workerd-e2e-'));
  const tiles = join(dir, 'tiles');
  const state = join(dir, 'state');
  await writeFixture(tiles);
  await promisify(execFile)('node', ['scripts/fill-local-r2.mjs', WORKERD_DATASET, '--tiles-dir', tiles, '--persist-to', state], { timeout: 120_000 });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // Its own process group, so stop() ends npx, wrangler and workerd together.
  const dev: ChildProcess = spawn(
    'npx',
    ['wrangler', 'dev', '--port', String(port), '--ip', '127.0.0.1', '--persist-to', state, '--var', 'LOG_REQUESTS:false', '--log-level', 'warn'],
    { detached: true, stdio: 'ignore', env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1' } },
  );
  const stop = async () => {
    if (dev.exitCode === null && dev.pid) {
      const exited = new Promise((resolve) => dev.once('exit', resolve));
      process.kill(-dev.pid, 'SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    }
    await rm(dir, { recursive: true, force: true });
  };
  const stats = async (dataset = WORKERD_DATASET) => (await (await fetch(`${url}/api/tiles/${dataset}/cache-stats`)).json()) as CacheStatsBody;
  // Ready when the Worker answers info from the local bucket (bounded: 90 s).
  const deadline = Date.now() + 90_000;
  for (;;) {
    const ok = await fetch(`${url}/api/tiles/${WORKERD_DATASET}/info`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline || dev.exitCode !== null) {
      await stop();
      throw new Error(`wrangler dev did not serve ${url} within 90 s (exit code ${dev.exitCode}).`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return { url, stats, counters: async (dataset) => (await stats(dataset)).counters, stop };
}

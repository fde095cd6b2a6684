/**
 * `npx tsx src/cli/bench-engines.ts`: the same bounded load against the two
 * engines on 127.0.0.1, one after the other, each in its own process:
 *
 *   node     the Node companion (startCompanion, local-folder source over data/tiles)
 *   workers  the Worker bundle (wrangler's build) in workerd via Miniflare, reading
 *            the local R2 bucket `npm run dev:workers` filled (.wrangler/state/v3),
 *            with a fresh in-memory `caches.default`
 *
 * Each engine first reads the 1,365 tiles of levels 0-5 once, in binary
 * batches of 100 (timed: the cold path through its store), so both memory
 * caches hold them; then gets the same mix for the same time (autocannon): `--seconds`
 * of single tiles (random, levels 0-5 of `sample`: 1,365 tiles, ~26 MB, so
 * both memory caches can hold them) over 10 connections, then `--seconds` of
 * binary batches of 40 tiles (a random 8 x 5 view at level 5) over 4
 * connections (the service worker's limit). Reported: start-up to the first
 * answer, p50/p99 latency, requests/s, errors (non-2xx and socket errors) and
 * the engine process's peak RSS. Logging is off on both.
 * Needs `npm run dev:workers` to have filled the local bucket once.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Miniflare } from 'miniflare';
import { BATCH_CONTENT_TYPE } from '../shared/batch-protocol.ts';

const { values: args } = parseArgs({ options: { seconds: { type: 'string', default: '10' } } });
const SECONDS = Number(args.seconds);
const DATASET = 'sample';
const PERSIST_ROOT = '.wrangler/state/v3';

function randomTile(): string {
  const z = Math.floor(Math.random() * 6);
  const across = 2 ** z;
  return `/api/tiles/${DATASET}/${z}/${Math.floor(Math.random() * across)}/${Math.floor(Math.random() * across)}.jpg`;
}

function randomView(): string {
  const x0 = Math.floor(Math.random() * (32 - 8));
  const y0 = Math.floor(Math.random() * (32 - 5));
  const tiles: string[] = [];
  for (let x = x0; x < x0 + 8; x += 1) for (let y = y0; y < y0 + 5; y += 1) tiles.push(`5/${x}/${y}.jpg`);
  return JSON.stringify({ tiles });
}

async function firstAnswer(url: string, started: number, deadlineMs = 60_000): Promise<number> {
  for (;;) {
    const ok = await fetch(`${url}/api/tiles/${DATASET}/info`).then((r) => r.ok, () => false);
    if (ok) return performance.now() - started;
    if (performance.now() - started > deadlineMs) throw new Error(`${url} did not answer within ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function peakRssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

interface Run {
  p50: number;
  p99: number;
  rps: number;
  errors: number;
  total: number;
}

async function load(url: string, kind: 'singles' | 'batches'): Promise<Run> {
  const result = await autocannon({
    url,
    duration: SECONDS,
    connections: kind === 'singles' ? 10 : 4,
    requests: [
      kind === 'singles'
        ? { method: 'GET', setupRequest: (request) => ({ ...request, path: randomTile() }) }
        : {
            method: 'POST',
            headers: { 'content-type': 'application/json', accept: BATCH_CONTENT_TYPE },
            setupRequest: (request) => ({ ...request, path: `/api/tiles/${DATASET}/batch`, body: randomView() }),
          },
    ],
  });
  return { p50: result.latency.p50, p99: result.latency.p99, rps: result.requests.average, errors: result.non2xx + result.errors, total: result.requests.total };
}

interface EngineResult {
  engine: string;
  startMs: number;
  firstTileMs: number;
  warmUpMs: number;
  singles: Run;
  batches: Run;
  peakRssMiB: number;
}

async function measure(engine: string, url: string, started: number, pid: () => number): Promise<EngineResult> {
  const startMs = await firstAnswer(url, started);
  const t = performance.now();
  const first = await fetch(`${url}/api/tiles/${DATASET}/5/10/10.jpg`);
  await first.arrayBuffer();
  const firstTileMs = performance.now() - t;
  const warm = performance.now();
  const all: string[] = [];
  for (let z = 0; z <= 5; z += 1) for (let x = 0; x < 2 ** z; x += 1) for (let y = 0; y < 2 ** z; y += 1) all.push(`${z}/${x}/${y}.jpg`);
  for (let i = 0; i < all.length; i += 100) {
    const response = await fetch(`${url}/api/tiles/${DATASET}/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: BATCH_CONTENT_TYPE },
      body: JSON.stringify({ tiles: all.slice(i, i + 100) }),
    });
    if (!response.ok) throw new Error(`warm-up batch: ${response.status}`);
    await response.arrayBuffer();
  }
  const warmUpMs = performance.now() - warm;
  const singles = await load(url, 'singles');
  const batches = await load(url, 'batches');
  return { engine, startMs, firstTileMs, warmUpMs, singles, batches, peakRssMiB: await peakRssMiB(pid()) };
}

async function nodeEngine(): Promise<EngineResult> {
  const port = 18_787;
  const code = `
    import { startCompanion } from './src/server/node-server.ts';
    import { LocalFolderSource } from './src/server/sources/local-folder.ts';
    await startCompanion({ source: new LocalFolderSource('data/tiles'), port: ${port} });`;
  const started = performance.now();
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: 'ignore' });
  try {
    return await measure('Node companion', `http://127.0.0.1:${port}`, started, () => child.pid!);
  } finally {
    child.kill('SIGTERM');
  }
}

async function workersEngine(): Promise<EngineResult> {
  execFileSync('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', '.wrangler/bench-bundle', '--assets', 'dist'], {
    stdio: 'ignore',
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
  });
  const bucket = /bucket_name\s*=\s*"([^"]+)"/.exec(await readFile('wrangler.toml', 'utf8'))![1]!;
  const started = performance.now();
  const mf = new Miniflare({
    modules: true,
    scriptPath: join('.wrangler/bench-bundle', 'workers-entry.js'),
    modulesRoot: '.wrangler/bench-bundle',
    compatibilityDate: '2026-04-26',
    defaultPersistRoot: PERSIST_ROOT,
    r2Buckets: { TILES: { id: bucket } },
    cachePersist: false,
    bindings: { LOG_REQUESTS: 'false' },
    host: '127.0.0.1',
    port: 0,
  });
  try {
    const url = (await mf.ready).origin;
    const workerd = () => Number(execFileSync('pgrep', ['-P', String(process.pid), 'workerd'], { encoding: 'utf8' }).trim().split('\n')[0]);
    const result = await measure('Worker (workerd)', url, started, workerd);
    const stats = (await (await fetch(`${url}/api/tiles/${DATASET}/cache-stats`)).json()) as { all: { edgeCache: unknown; upstream: { classBOperations: number } } };
    console.log(JSON.stringify({ workerStats: { edgeCache: stats.all.edgeCache, r2ClassB: stats.all.upstream.classBOperations } }));
    return result;
  } finally {
    await mf.dispose();
  }
}

const results = [await nodeEngine(), await workersEngine()];
const ms = (n: number) => `${Math.round(n)} ms`;
console.log(`\n${SECONDS} s per mix, ${new Date().toISOString()}, load average ${(await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ')}\n`);
console.log('| engine | start to first answer | first tile (cold) | 1,365 tiles cold, batches of 100 | singles p50 / p99 | singles req/s | batches of 40: p50 / p99 | batches/s | errors | peak RSS |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of results) {
  console.log(
    `| ${r.engine} | ${ms(r.startMs)} | ${ms(r.firstTileMs)} | ${ms(r.warmUpMs)} | ${r.singles.p50} / ${r.singles.p99} ms | ${Math.round(r.singles.rps)} | ${r.batches.p50} / ${r.batches.p99} ms | ${r.batches.rps.toFixed(1)} | ${r.singles.errors + r.batches.errors} of ${r.singles.total + r.batches.total} | ${Math.round(r.peakRssMiB)} MiB |`,
  );
}

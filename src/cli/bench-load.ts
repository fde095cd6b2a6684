/**
 * `npm run bench:load`: the companion under load and abuse, on 127.0.0.1
 * only, bounded in time. It starts the real companion (`src/server/main.ts`,
 * local-folder source, a small tile cache) as its own process, so its peak
 * RSS can be read from /proc, then runs each mix for `--duration` seconds
 * (default 10, at most 60):
 *
 *   singles   random tile GETs (autocannon, 32 connections)
 *   batches   binary batch POSTs of 50 random tiles (8 connections)
 *   mixed     both at once
 *   abuse     400 clients POST a 100-tile batch and never read, 50 send
 *             their body one byte a second, 200 connect and stay idle;
 *             healthy singles (16 connections) connect right behind them and
 *             are measured through the burst while all still hang on
 *
 * and prints req/s, p50/p99 latency, errors and the companion's peak RSS
 * against the documented bound (tile cache + overhead, docs/companion.md).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { BATCH_CONTENT_TYPE } from '../shared/batch-protocol.ts';
import { levelTiles, parseDatasetInfo } from '../shared/dataset-info.ts';

const MiB = 1024 * 1024;
/** The documented overhead above the tile cache (docs/companion.md, "Memory bound"). */
export const OVERHEAD_MIB = 256;

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    'tiles-dir': { type: 'string', default: 'data/tiles' },
    dataset: { type: 'string', default: 'sample' },
    'cache-mib': { type: 'string', default: '32' },
    only: { type: 'string' },
  },
});
const duration = Math.min(60, Math.max(1, Number(args.duration)));
const cacheMiB = Math.max(1, Number(args['cache-mib']));
const dataset = args.dataset!;
const tilesDir = args['tiles-dir']!;

interface Companion {
  url: string;
  child: ChildProcess;
}

async function startCompanionProcess(): Promise<Companion> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', TILES_DIR: tilesDir, TILE_CACHE_MAX_BYTES: String(cacheMiB * MiB) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error('The companion did not start within 30 s.')), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /Open (http:\/\/127\.0\.0\.1:\d+)\//.exec(seen);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
      if (seen.length > 100_000) seen = seen.slice(-1000);
    });
    child.once('exit', (code) => reject(new Error(`The companion exited (${code}) before it listened.`)));
  });
  // Its per-request log lines are read and dropped: the pipe must never fill.
  child.stdout!.resume();
  return { url, child };
}

/** RSS of a process in bytes, from /proc (Linux). */
async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb * 1024;
}

class RssSampler {
  peak = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  constructor(readonly pid: number) {}
  start(): void {
    this.peak = 0;
    this.#timer = setInterval(() => {
      rssOf(this.pid).then(
        (rss) => (this.peak = Math.max(this.peak, rss)),
        () => undefined,
      );
    }, 100);
  }
  stop(): number {
    clearInterval(this.#timer);
    return this.peak;
  }
}

async function tileNames(): Promise<string[]> {
  const info = parseDatasetInfo(JSON.parse(await readFile(join(tilesDir, dataset, 'info.json'), 'utf8')), dataset);
  const names: string[] = [];
  for (const z of [info.maxLevel - 1, info.maxLevel]) {
    const { columns, rows } = levelTiles(info, z);
    for (let x = 0; x < columns; x += 1) for (let y = 0; y < rows; y += 1) names.push(`${z}/${x}/${y}.${info.format}`);
  }
  return names;
}

interface MixResult {
  mix: string;
  requestsPerSecond: number;
  tilesPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  peakRssMiB: number;
  note?: string;
}

type Cannon = autocannon.Result;

function run(options: autocannon.Options): Promise<Cannon> {
  return new Promise((resolve, reject) => {
    autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

function singles(url: string, names: string[], connections: number): Promise<Cannon> {
  return run({
    url,
    connections,
    duration,
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `/api/tiles/${dataset}/${names[Math.floor(Math.random() * names.length)]}` }) }],
  });
}

const BATCH_TILES = 50;

function batches(url: string, names: string[], connections: number): Promise<Cannon> {
  return run({
    url,
    connections,
    duration,
    requests: [
      {
        method: 'POST',
        path: `/api/tiles/${dataset}/batch`,
        headers: { 'content-type': 'application/json', accept: BATCH_CONTENT_TYPE },
        setupRequest: (req) => {
          const start = Math.floor(Math.random() * (names.length - BATCH_TILES));
          return { ...req, body: JSON.stringify({ tiles: names.slice(start, start + BATCH_TILES) }) };
        },
      },
    ],
  });
}

function summary(mix: string, results: Cannon[], tilesPer: number[], peak: number, note?: string): MixResult {
  const rps = results.map((r) => r.requests.average);
  return {
    mix,
    requestsPerSecond: Math.round(rps.reduce((a, b) => a + b, 0)),
    tilesPerSecond: Math.round(rps.reduce((a, r, i) => a + r * tilesPer[i]!, 0)),
    p50: Math.max(...results.map((r) => r.latency.p50)),
    p99: Math.max(...results.map((r) => r.latency.p99)),
    errors: results.reduce((a, r) => a + r.errors + r.timeouts, 0),
    non2xx: results.reduce((a, r) => a + r.non2xx, 0),
    peakRssMiB: Math.round(peak / MiB),
    ...(note ? { note } : {}),
  };
}

/** Clients that misbehave on purpose; all on raw sockets, all closed at the end. */
function abusers(url: string, names: string[]): { sockets: Socket[]; answered: () => Record<string, number>; allAnswered: Promise<void>; stop(): void } {
  const { port } = new URL(url);
  const sockets: Socket[] = [];
  const statuses: Record<string, number> = {};
  const timers: Array<ReturnType<typeof setInterval>> = [];
  let pending = 400;
  let allDone!: () => void;
  const allAnswered = new Promise<void>((resolve) => (allDone = resolve));
  const oneAnswered = () => {
    pending -= 1;
    if (pending === 0) allDone();
  };
  const open = (onConnect: (socket: Socket) => void) => {
    const socket = connect(Number(port), '127.0.0.1', () => onConnect(socket));
    socket.on('error', () => undefined);
    sockets.push(socket);
    return socket;
  };
  // 400 non-readers: a 100-tile binary batch each, never read.
  for (let i = 0; i < 400; i += 1) {
    open((socket) => {
      const start = (i * 37) % (names.length - 100);
      const body = JSON.stringify({ tiles: names.slice(start, start + 100) });
      socket.write(
        `POST /api/tiles/${dataset}/batch HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: ${BATCH_CONTENT_TYPE}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      // Read only the status line, then stop reading for good.
      socket.once('data', (chunk: Buffer) => {
        const status = /^HTTP\/1\.1 (\d{3})/.exec(chunk.toString('latin1'))?.[1] ?? '?';
        statuses[`nonReader ${status}`] = (statuses[`nonReader ${status}`] ?? 0) + 1;
        socket.pause();
        oneAnswered();
      });
    });
  }
  // 50 slow bodies: one byte a second.
  for (let i = 0; i < 50; i += 1) {
    open((socket) => {
      socket.write(`POST /api/tiles/${dataset}/batch HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n`);
      const timer = setInterval(() => socket.writable && socket.write('{'), 1000);
      timers.push(timer);
      socket.on('data', (chunk: Buffer) => {
        const status = /^HTTP\/1\.1 (\d{3})/.exec(chunk.toString('latin1'))?.[1];
        if (status) statuses[`slowBody ${status}`] = (statuses[`slowBody ${status}`] ?? 0) + 1;
      });
      socket.on('close', () => {
        clearInterval(timer);
        statuses['slowBody closed'] = (statuses['slowBody closed'] ?? 0) + 1;
      });
    });
  }
  // 200 idle connections.
  for (let i = 0; i < 200; i += 1) {
    open((socket) => {
      socket.on('close', () => (statuses['idle closed'] = (statuses['idle closed'] ?? 0) + 1));
    });
  }
  return {
    sockets,
    allAnswered,
    answered: () => ({ ...statuses }),
    stop: () => {
      for (const t of timers) clearInterval(t);
      for (const s of sockets) s.destroy();
    },
  };
}

async function main(): Promise<void> {
  const names = await tileNames();
  const companion = await startCompanionProcess();
  const pid = companion.child.pid!;
  const sampler = new RssSampler(pid);
  const bound = cacheMiB + OVERHEAD_MIB;
  const results: MixResult[] = [];
  const wanted = (mix: string) => !args.only || args.only.split(',').includes(mix);
  console.log(`companion pid ${pid} at ${companion.url}; tile cache ${cacheMiB} MiB; ${duration} s per mix; ${names.length} tiles of "${dataset}"`);
  try {
    if (wanted('singles')) {
      sampler.start();
      const r = await singles(companion.url, names, 32);
      results.push(summary('singles', [r], [1], sampler.stop()));
    }
    if (wanted('batches')) {
      sampler.start();
      const r = await batches(companion.url, names, 8);
      results.push(summary(`batches (${BATCH_TILES} tiles)`, [r], [BATCH_TILES], sampler.stop()));
    }
    if (wanted('mixed')) {
      sampler.start();
      const rs = await Promise.all([singles(companion.url, names, 24), batches(companion.url, names, 4)]);
      results.push(summary('mixed', rs, [1, BATCH_TILES], sampler.stop()));
    }
    if (wanted('abuse')) {
      sampler.start();
      const started = performance.now();
      const abuse = abusers(companion.url, names);
      // Healthy singles connect right behind the 400 non-readers (the burst: 40,000 tiles of real
      // work) and are measured through it, while all of them still hold their sockets unread.
      const healthy = singles(companion.url, names, 16);
      let burst = 'over 30';
      let wait: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        abuse.allAnswered.then(() => (burst = ((performance.now() - started) / 1000).toFixed(1))),
        new Promise((resolve) => (wait = setTimeout(resolve, 30_000))),
      ]);
      clearTimeout(wait);
      const r = await healthy;
      const seen = abuse.answered();
      abuse.stop();
      const note = `abusers' burst took ${burst} s; ${Object.entries(seen)
        .map(([k, v]) => `${k}: ${v}`)
        .join(', ')}`;
      results.push(summary('abuse: healthy singles', [r], [1], sampler.stop(), note));
    }
  } finally {
    companion.child.kill('SIGTERM');
  }
  console.log('');
  console.log('| mix | req/s | tiles/s | p50 ms | p99 ms | errors | non-2xx | peak RSS MiB | bound MiB |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    console.log(`| ${r.mix} | ${r.requestsPerSecond} | ${r.tilesPerSecond} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.non2xx} | ${r.peakRssMiB} | ${bound}${r.peakRssMiB > bound ? ' (over!)' : ''} |`);
  }
  for (const r of results) if (r.note) console.log(`${r.mix}: ${r.note}`);
  if (results.some((r) => r.peakRssMiB > bound)) process.exitCode = 1;
}

await main();

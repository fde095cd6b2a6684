/**
 * `npm run bench:server`: what the companion's batch endpoint buys, measured
 * against a local upstream that waits `--latency-ms` (default 100) before
 * each GET, as R2 does. One companion serves every run (its upstream sockets
 * warm, as in a running server); its tile cache is emptied before each variant:
 *
 *   singles  100 tile GETs through a 6-connection client (a browser's limit)
 *   binary   one batch of the same 100 tiles, binary stream
 *   json     one batch, base64 JSON (the original contract)
 *
 * and prints the medians of `--runs` interleaved runs, the speed-up of a batch
 * over singles (target >= 5x) and binary bytes over JSON bytes (target <= 0.77).
 * Tiles are synthetic (incompressible, 8-30 KB like JPEG tiles) unless
 * `--tiles-dir DIR --dataset NAME` points at a real pyramid (read only).
 */
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { BATCH_CONTENT_TYPE, BatchDecoder } from '../shared/batch-protocol.ts';
import { levelTiles, parseDatasetInfo } from '../shared/dataset-info.ts';
import { startCompanion } from '../server/node-server.ts';
import { R2PublicUrlSource } from '../server/sources/r2-public-url.ts';
import { upstreamSettings } from '../server/source-from-config.ts';
import { HttpUpstream } from '../server/upstream/http-upstream.ts';
import { createPoolFetch } from '../server/upstream/pool-fetch.ts';
import { DEFAULT_LATENCY } from './bench/latency.ts';
import { formatRatio, formatSummary, ratio, summarize } from './bench/stats.ts';
import { LatencyUpstream } from './bench/upstream.ts';

const { values: args } = parseArgs({
  options: {
    'latency-ms': { type: 'string', default: '100' },
    tiles: { type: 'string', default: '100' },
    connections: { type: 'string', default: '6' },
    runs: { type: 'string', default: '3' },
    'tiles-dir': { type: 'string' },
    dataset: { type: 'string', default: 'bench' },
  },
});
const latencyMs = Number(args['latency-ms']);
const tileCount = Math.min(100, Math.max(1, Number(args.tiles)));
const clientConnections = Number(args.connections);
const runs = Math.min(20, Math.max(1, Number(args.runs)));
const dataset = args.dataset!;

/** A synthetic dataset of one level with enough tiles, written to a temp folder. */
async function syntheticTiles(root: string): Promise<string[]> {
  const side = Math.ceil(Math.sqrt(tileCount));
  const info = { width: side * 256, height: side * 256, tileSize: 256, overlap: 0, minLevel: 0, maxLevel: 0, format: 'jpg', version: 'bench' };
  await mkdir(join(root, dataset), { recursive: true });
  await writeFile(join(root, dataset, 'info.json'), JSON.stringify(info));
  const names: string[] = [];
  for (let x = 0; x < side; x += 1) {
    await mkdir(join(root, dataset, '0', String(x)), { recursive: true });
    for (let y = 0; y < side && names.length < tileCount; y += 1) {
      const size = 8_000 + ((x * 7919 + y * 104_729) % 22_000);
      const bytes = new Uint8Array(size).map(() => Math.floor(Math.random() * 256));
      // A JPEG's start and end markers: the companion serves only bodies that look like the image they claim to be.
      bytes.set([0xff, 0xd8, 0xff, 0xe0], 0);
      bytes.set([0xff, 0xd9], size - 2);
      await writeFile(join(root, dataset, '0', String(x), `${y}.jpg`), bytes);
      names.push(`0/${x}/${y}.jpg`);
    }
  }
  return names;
}

/** The first `tileCount` tiles of the deepest level of a real dataset. */
async function realTiles(root: string): Promise<string[]> {
  const info = parseDatasetInfo(JSON.parse(await readFile(join(root, dataset, 'info.json'), 'utf8')), dataset);
  const { columns, rows } = levelTiles(info, info.maxLevel);
  const names: string[] = [];
  for (let x = 0; x < columns && names.length < tileCount; x += 1) {
    for (let y = 0; y < rows && names.length < tileCount; y += 1) names.push(`${info.maxLevel}/${x}/${y}.${info.format}`);
  }
  return names;
}

interface Measured {
  ms: number;
  bytes: number;
  firstTileMs: number;
  upstreamGets: number;
}

type Variant = (client: Pool, base: string) => Promise<{ bytes: number; firstTileMs: number }>;

/**
 * One companion for all runs, as in production: its upstream pool stays warm
 * (keep-alive), while its tile cache is emptied before every variant, so each
 * one reads all its tiles from the slow upstream.
 */
async function benchCompanion(upstream: LatencyUpstream, names: string[]) {
  const pool = createPoolFetch({ connections: 100, timeoutMs: 30_000, keepAliveMs: 60_000 });
  const source = new R2PublicUrlSource(upstream.url, new HttpUpstream({ ...upstreamSettings(30_000), fetch: pool.fetch }));
  const companion = await startCompanion({ source });
  const base = `/api/tiles/${dataset}`;
  // Warm-up: open the upstream sockets a 100-tile batch needs, then forget the tiles.
  const warm = new Pool(companion.url, { connections: 1 });
  await batch(warm, base, names, true);
  await warm.close();

  const measure = async (variant: Variant): Promise<Measured> => {
    companion.service.clear(dataset);
    // Info is read up front, so every variant measures tiles only.
    await (await fetch(`${companion.url}${base}/info`)).arrayBuffer();
    const client = new Pool(companion.url, { connections: clientConnections });
    try {
      upstream.take();
      const started = performance.now();
      const { bytes, firstTileMs } = await variant(client, base);
      return { ms: performance.now() - started, bytes, firstTileMs: firstTileMs - started, upstreamGets: upstream.take().tileGets };
    } finally {
      await client.close();
    }
  };
  const close = async () => {
    await companion.close();
    await pool.close();
  };
  return { measure, close };
}

async function singles(client: Pool, base: string, names: string[]) {
  let first = Infinity;
  const sizes = await Promise.all(
    names.map(async (name) => {
      const response = await client.request({ method: 'GET', path: `${base}/${name}` });
      if (response.statusCode !== 200) throw new Error(`Single ${name} answered ${response.statusCode}.`);
      const length = (await response.body.arrayBuffer()).byteLength;
      first = Math.min(first, performance.now());
      return length;
    }),
  );
  return { bytes: sizes.reduce((a, b) => a + b, 0), firstTileMs: first };
}

async function batch(client: Pool, base: string, names: string[], binary: boolean) {
  const response = await client.request({
    method: 'POST',
    path: `${base}/batch`,
    headers: { 'Content-Type': 'application/json', Accept: binary ? BATCH_CONTENT_TYPE : 'application/json' },
    body: JSON.stringify({ tiles: names }),
  });
  if (response.statusCode !== 200) throw new Error(`Batch answered ${response.statusCode}.`);
  let bytes = 0;
  let first = Infinity;
  if (!binary) {
    const text = await response.body.arrayBuffer();
    const tiles = (JSON.parse(new TextDecoder().decode(text)) as { tiles: Record<string, string | null> }).tiles;
    if (Object.values(tiles).some((t) => t === null)) throw new Error('JSON batch missed tiles.');
    return { bytes: text.byteLength, firstTileMs: performance.now() };
  }
  // undici's body is a Node stream: feed its chunks to the incremental decoder.
  const decoder = new BatchDecoder();
  let frames = 0;
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    bytes += chunk.byteLength;
    for (const frame of decoder.push(chunk)) {
      if (frame.status !== 200) throw new Error(`Batch tile ${frame.key} answered ${frame.status}.`);
      first = Math.min(first, performance.now());
      frames += 1;
    }
  }
  decoder.finish();
  if (frames !== names.length) throw new Error(`Binary batch returned ${frames} of ${names.length} tiles.`);
  return { bytes, firstTileMs: first };
}
const tempRoot = args['tiles-dir'] ? null : await mkdtemp(join(tmpdir(), 'bench-server-'));
const root = args['tiles-dir'] ?? tempRoot!;
try {
  const names = tempRoot ? await syntheticTiles(root) : await realTiles(root);
  const upstream = new LatencyUpstream(root, { ...DEFAULT_LATENCY, baseMs: latencyMs, shape: 'fixed' });
  await upstream.listen();
  const results = { singles: [] as Measured[], binary: [] as Measured[], json: [] as Measured[] };
  const bench = await benchCompanion(upstream, names);
  for (let run = 0; run < runs; run += 1) {
    upstream.startRun(run);
    results.singles.push(await bench.measure((c, b) => singles(c, b, names)));
    results.binary.push(await bench.measure((c, b) => batch(c, b, names, true)));
    results.json.push(await bench.measure((c, b) => batch(c, b, names, false)));
  }
  await bench.close();
  await upstream.close();

  const ms = (k: keyof typeof results) => summarize(results[k].map((m) => m.ms));
  const first = (k: keyof typeof results) => summarize(results[k].map((m) => m.firstTileMs));
  const bytes = (k: keyof typeof results) => summarize(results[k].map((m) => m.bytes));
  const gets = (k: keyof typeof results) => summarize(results[k].map((m) => m.upstreamGets));
  console.log(`companion bench: ${names.length} tiles, upstream latency ${latencyMs} ms per GET, ${clientConnections}-connection client, ${runs} runs (median (min–max))`);
  console.log(`tiles: ${tempRoot ? 'synthetic 8-30 KB' : `${root}/${dataset}`}`);
  for (const k of ['singles', 'binary', 'json'] as const) {
    console.log(
      `  ${k.padEnd(8)} all tiles ${formatSummary(ms(k)).padEnd(22)} first tile ${formatSummary(first(k)).padEnd(22)} bytes ${bytes(k).median}  upstream GETs ${gets(k).median}`,
    );
  }
  const speedup = ratio(ms('singles'), ms('binary'));
  const bytesRatio = ratio(bytes('binary'), bytes('json'));
  console.log(`batch (binary) vs ${clientConnections}-connection singles: ${formatRatio(speedup)} faster (target >= 5x) ${speedup >= 5 ? 'OK' : 'MISSED'}`);
  console.log(`batch (json) vs singles: ${formatRatio(ratio(ms('singles'), ms('json')))} faster`);
  console.log(`binary bytes / base64 JSON bytes: ${bytesRatio.toFixed(3)} (target <= 0.77) ${bytesRatio <= 0.77 ? 'OK' : 'MISSED'}`);
} finally {
  if (tempRoot) await rm(tempRoot, { recursive: true, force: true });
}

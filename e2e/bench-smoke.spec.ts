/**
 * Smoke test of `npm run bench`: one quick iteration on a tiny generated
 * dataset must print the table and write results whose counts make sense.
 * It asserts what the harness counted (GETs at the upstream), never a time.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { expect, test } from '@playwright/test';

const SIZE = 2048;
const TILE = 256;
const MAX_LEVEL = 3;

/** A 2048² pyramid of identical grey tiles: OpenSeadragon only needs decodable images. */
async function makeTinyDataset(root: string, name = 'tiny'): Promise<void> {
  const tile = await sharp({ create: { width: TILE, height: TILE, channels: 3, background: '#777' } }).jpeg().toBuffer();
  for (let z = 0; z <= MAX_LEVEL; z++) {
    const across = Math.ceil(SIZE / 2 ** (MAX_LEVEL - z) / TILE);
    for (let x = 0; x < across; x++) {
      await mkdir(join(root, name, String(z), String(x)), { recursive: true });
      for (let y = 0; y < across; y++) await writeFile(join(root, name, String(z), String(x), `${y}.jpg`), tile);
    }
  }
  const info = { width: SIZE, height: SIZE, tileSize: TILE, overlap: 0, minLevel: 0, maxLevel: MAX_LEVEL, format: 'jpg', version: 'smoke' };
  await writeFile(join(root, name, 'info.json'), JSON.stringify(info));
}

function runBench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/bench/main.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 230_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

interface SmokeSample {
  series: string;
  scenario: string;
  upstreamGets: number;
  companionRequests: number;
  tilesLoaded: number;
}

test('one quick bench iteration prints the table and writes results with sensible counts', async () => {
  test.setTimeout(260_000); // the drop-in sessions (two of the three variants) add ~20 s on a quiet machine
  const root = await mkdtemp(join(tmpdir(), 'bench-smoke-'));
  try {
    await makeTinyDataset(join(root, 'tiles'));
    await makeTinyDataset(join(root, 'tiles'), 'tiny-other');
    const out = join(root, 'results');
    const result = await runBench([
      '--quick', '--modes', 'h1', '--variants', 'tuned,accelerator,page-batch', '--tour-steps', '2', '--latency', '20',
      '--dataset', 'tiny', '--warmup-dataset', 'tiny-other', '--tiles-dir', join(root, 'tiles'), '--out', out, '--dzi-dir', join(root, 'dzi'),
    ]);
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('| cold zoom in one level (2x) |');
    expect(result.stdout).toContain('### Targets');
    expect(result.stdout).toMatch(/Load average \(1, 5, 15 min\): [\d. ]+ before, [\d. ]+ after/);
    expect(result.stdout).not.toContain('### Errors');

    const report = JSON.parse(await readFile(join(out, 'latest.json'), 'utf8')) as { samples: SmokeSample[] };
    const sample = (series: string, scenario: string) => report.samples.find((s) => s.series === series && s.scenario === scenario);
    for (const series of ['tuned', 'accelerator', 'page-batch']) {
      // A cold view reaches the upstream; the warm reload is served by the HTTP cache or the worker.
      expect(sample(series, 'home')?.upstreamGets).toBeGreaterThan(0);
      expect(sample(series, 'home')?.tilesLoaded).toBeGreaterThan(0);
      expect(sample(series, 'reload')?.upstreamGets).toBe(0);
      // Returning visitor: only the new image's tiles reach the upstream, as many as a first visit's home view.
      expect(sample(series, 'returning')?.upstreamGets).toBeGreaterThan(0);
      expect(sample(series, 'returning')?.tilesLoaded).toBe(sample(series, 'home')?.tilesLoaded);
    }
    // The drop-in: the tiny image as a DZI (vips dzsave) on another origin, opened by OSD with enableTileAccelerator.
    expect(result.stdout).toContain('| drop-in: cold home view of a DZI on another origin (incl. page start) |');
    expect(sample('accelerator', 'dzi')?.upstreamGets).toBeGreaterThan(0);
    expect(sample('accelerator', 'dzi')?.tilesLoaded).toBeGreaterThan(0);
    expect(sample('accelerator', 'dzi-reload')?.upstreamGets).toBe(0);
    expect(sample('accelerator', 'dzi-reload')?.tilesLoaded).toBe(sample('accelerator', 'dzi')?.tilesLoaded);
    // With a companion serving that DZI (page batches): the tiles still come from the DZI host, through the companion.
    expect(sample('page-batch', 'dzi')?.upstreamGets).toBeGreaterThan(0);
    expect(sample('page-batch', 'dzi')?.companionRequests).toBeGreaterThan(0);
    expect(sample('page-batch', 'dzi')?.tilesLoaded).toBe(sample('accelerator', 'dzi')?.tilesLoaded);
    // The floor fetched the same tiles the reference variant's home view needed.
    expect(sample('floor', 'home')?.upstreamGets).toBe(sample('tuned', 'home')?.upstreamGets);
    expect(await readFile(join(out, 'chart.svg'), 'utf8')).toMatch(/^<svg[^>]*>/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

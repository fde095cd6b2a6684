/**
 * The Worker exactly as `wrangler deploy` would upload it: wrangler's own
 * bundler (`deploy --dry-run --outdir`) over wrangler.toml, with an empty
 * assets folder so `dist/` need not be built first. The contract suite runs
 * this file in workerd; the bundle checks read its source map.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface WorkerBundle {
  /** The bundled ES module. */
  scriptPath: string;
  /** Bytes of the module, and the sources esbuild put in it (from the source map). */
  bytes: number;
  sources: string[];
  /** wrangler's own line, e.g. "Total Upload: 139.56 KiB / gzip: 37.85 KiB". */
  sizeLine: string;
  remove(): Promise<void>;
}

export async function buildWorkerBundle(): Promise<WorkerBundle> {
  const dir = await mkdtemp(join(tmpdir(), 'worker-bundle-'));
  const outdir = join(dir, 'out');
  const assets = join(dir, 'empty-assets');
  await mkdir(assets);
  const { stdout } = await promisify(execFile)(
    'npx',
    ['wrangler', 'deploy', '--dry-run', '--outdir', outdir, '--assets', assets],
    { env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1' }, timeout: 60_000, maxBuffer: 4 * 1024 * 1024 },
  );
  const scriptPath = join(outdir, 'workers-entry.js');
  const script = await readFile(scriptPath);
  const map = JSON.parse(await readFile(`${scriptPath}.map`, 'utf8')) as { sources: string[] };
  return {
    scriptPath,
    bytes: script.byteLength,
    sources: map.sources,
    sizeLine: /Total Upload:[^\n]*/.exec(stdout)?.[0] ?? '',
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

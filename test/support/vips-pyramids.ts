/**
 * Pyramids made by the real `vips dzsave` (libvips-tools), at test time, into
 * a temp folder laid out as a bucket would hold them, plus a bare z/x/y
 * folder (no descriptor) and a nested name. What vips writes is what users
 * have, so tests run on it rather than on hand-written imitations.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import type { DescriptorKind } from '../../src/shared/layouts/index.ts';

const run = promisify(execFile);

export interface VipsFixture {
  /** Dataset name as the companion serves it. */
  readonly name: string;
  readonly kind: DescriptorKind | 'bare';
  /** The vips arguments after `dzsave in.png OUT`. */
  readonly args: readonly string[];
}

export const VIPS_FIXTURES: readonly VipsFixture[] = [
  { name: 'dzi-default', kind: 'dzi', args: [] },
  { name: 'dzi-256', kind: 'dzi', args: ['--overlap', '0', '--tile-size', '256'] },
  { name: 'dzi-png', kind: 'dzi', args: ['--suffix', '.png'] },
  { name: 'iiif2', kind: 'iiif', args: ['--layout', 'iiif'] },
  { name: 'iiif3', kind: 'iiif', args: ['--layout', 'iiif3'] },
  { name: 'zoomify', kind: 'zoomify', args: ['--layout', 'zoomify'] },
  { name: 'google', kind: 'vips-google', args: ['--layout', 'google'] },
  { name: 'collections/case-1', kind: 'dzi', args: ['--tile-size', '128'] },
];

export interface VipsPyramids {
  /** The folder holding every pyramid (use as TILES_DIR or upload to a bucket). */
  readonly root: string;
  readonly fixtures: readonly VipsFixture[];
  /** Every file below root, as relative keys with forward slashes. */
  readonly files: readonly string[];
  cleanup(): Promise<void>;
}

export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name)).split('\\').join('/')).sort();
}

/** A width x height PNG with structure (gradients and noise), made by vips itself. */
async function sourceImage(dir: string, width: number, height: number): Promise<string> {
  const xy = join(dir, 'xy.v');
  await run('vips', ['xyz', xy, String(width), String(height)]);
  const bands = join(dir, 'bands.v');
  await run('vips', ['linear', xy, bands, '0.25 0.4', '0 30']);
  const png = join(dir, 'source.png');
  await run('vips', ['cast', bands, join(dir, 'rg.v'), 'uchar']);
  await run('vips', ['bandjoin_const', join(dir, 'rg.v'), png, '128']);
  return png;
}

/** Makes every fixture (or those named) from one width x height image. */
export async function makeVipsPyramids(options: { width?: number; height?: number; only?: readonly string[] } = {}): Promise<VipsPyramids> {
  const root = await mkdtemp(join(tmpdir(), 'vips-pyramids-'));
  const work = await mkdtemp(join(tmpdir(), 'vips-source-'));
  const image = await sourceImage(work, options.width ?? 1000, options.height ?? 700);
  const fixtures = VIPS_FIXTURES.filter((f) => !options.only || options.only.includes(f.name));
  for (const fixture of fixtures) {
    const out = join(root, fixture.name);
    await mkdir(join(out, '..'), { recursive: true });
    await run('vips', ['dzsave', image, out, ...fixture.args]);
  }
  if (!options.only || options.only.includes('bare')) {
    // A bare z/x/y pyramid (the original design, no descriptor): vips' 256 px DZI levels re-keyed.
    const dz = join(work, 'bare');
    await run('vips', ['dzsave', image, dz, '--overlap', '0', '--tile-size', '256', '--suffix', '.jpg']);
    for (const file of await listFiles(`${dz}_files`)) {
      const match = /^(\d+)\/(\d+)_(\d+)\.jpg$/.exec(file);
      if (match) await cp(join(`${dz}_files`, file), join(root, 'bare', match[1]!, match[2]!, `${match[3]}.jpg`), { recursive: true });
    }
  }
  await rm(work, { recursive: true, force: true });
  const all = [...fixtures, ...(!options.only || options.only.includes('bare') ? [{ name: 'bare', kind: 'bare' as const, args: [] }] : [])];
  return { root, fixtures: all, files: await listFiles(root), cleanup: () => rm(root, { recursive: true, force: true }) };
}

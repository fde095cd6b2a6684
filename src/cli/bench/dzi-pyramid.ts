/**
 * The drop-in scenario's pyramid: the bench's own image as a DZI, made by the
 * real `vips dzsave` (254 px tiles, overlap 1, JPEG), as a user who never
 * heard of the companion has it on some static host. The image is the
 * dataset's full-resolution level joined back together (`vips arrayjoin`,
 * cropped to the dataset's size), so both kinds of scenario show the same
 * picture. Made once per dataset version and kept in `cacheDir` (about
 * 100 MB for the 16384² sample; 20-110 s on 2 shared cores), then reused.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { levelTiles, parseDatasetInfo } from '../../shared/dataset-info.ts';

const run = promisify(execFile);

export interface BenchDzi {
  /** The folder to serve (holds `{name}.dzi` and `{name}_files/`). */
  root: string;
  /** Path of the descriptor below `root`. */
  descriptor: string;
}

/** Makes (or finds) the DZI of `dataset`; throws with what to fix when vips is missing or fails. */
export async function benchDzi(tilesDir: string, dataset: string, cacheDir: string): Promise<BenchDzi> {
  const info = parseDatasetInfo(JSON.parse(await readFile(join(tilesDir, dataset, 'info.json'), 'utf8')), dataset);
  const root = join(cacheDir, `${dataset}-${info.version}`);
  const result: BenchDzi = { root, descriptor: 'scan.dzi' };
  if (existsSync(join(root, result.descriptor))) return result;

  if (info.overlap !== 0) throw new Error(`dataset "${dataset}" has overlapping tiles: the drop-in DZI is joined from full-resolution tiles without overlap.`);
  const work = `${root}.partial`;
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  try {
    const z = info.maxLevel;
    const { columns, rows } = levelTiles(info, z);
    // Relative names from the level's folder: 4096 absolute paths would pass the kernel's limit for one argument.
    const names: string[] = [];
    for (let y = 0; y < rows; y++) for (let x = 0; x < columns; x++) names.push(`${x}/${y}.${info.format}`);
    const joined = join(work, 'joined.v');
    await vips(['arrayjoin', names.join(' '), joined, '--across', String(columns)], join(tilesDir, dataset, String(z)));
    // Edge tiles may be narrower than a cell: cut the joined grid back to the image.
    const image = join(work, 'image.v');
    await vips(['crop', joined, image, '0', '0', String(info.width), String(info.height)]);
    await rm(joined);
    await vips(['dzsave', image, join(work, 'scan')]);
    await rm(image);
    await rename(work, root);
  } catch (error) {
    await rm(work, { recursive: true, force: true });
    throw error;
  }
  return result;
}

async function vips(args: string[], cwd?: string): Promise<void> {
  try {
    await run('vips', args, { cwd, maxBuffer: 1024 * 1024 });
  } catch (error) {
    const e = error as { code?: string; stderr?: string; message: string };
    if (e.code === 'ENOENT') throw new Error('vips is not installed (apt-get install libvips-tools): the drop-in DZI scenario needs `vips dzsave`.');
    throw new Error(`vips ${args[0]} failed: ${(e.stderr ?? e.message).trim().split('\n')[0]}`);
  }
}

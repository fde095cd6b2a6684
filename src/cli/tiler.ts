/**
 * `tile-accelerator tile`: one big image in, one dataset folder out
 * (`{out}/{dataset}/{z}/{x}/{y}.{ext}` + info.json). The pyramid is built in
 * a staging folder and swapped in whole, so a failed or interrupted run never
 * leaves a half-written dataset where the server or uploader would read it.
 *
 * A `.source.json` beside the tiles remembers which file was tiled; re-tiling
 * the same file (even after editing it) replaces the dataset quietly, but a
 * folder holding anything else is only replaced with --force.
 */
import { readFile, readdir, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isValidDatasetName } from '../shared/tile-key.ts';
import { CliError } from './cli-error.ts';
import { loadSharp } from './load-sharp.ts';
import { computeVersion, publishDataset, stagingDirFor, writeInfo } from './dataset-folder.ts';
import { cutPyramid, TILER_FORMATS, type TileFormat } from './pyramid.ts';

const SOURCE_FILE = '.source.json';

export interface TileOptions {
  readonly input: string;
  readonly dataset: string;
  readonly outRoot: string;
  readonly format: TileFormat;
  readonly quality: number;
  readonly tileSize: number;
  readonly overlap: number;
  readonly force: boolean;
  readonly log: (line: string) => void;
}

interface SourceIdentity {
  path: string;
  size: number;
  mtimeMs: number;
}

function checkOptions(options: TileOptions): void {
  if (!isValidDatasetName(options.dataset)) {
    throw new CliError('bad-dataset-name', `dataset name "${options.dataset}" is invalid: use 1-128 of A-Z a-z 0-9 . _ - and no "..".`);
  }
  if (!TILER_FORMATS.includes(options.format)) {
    throw new CliError('usage', `--format must be one of ${TILER_FORMATS.join(', ')}.`);
  }
  if (!Number.isInteger(options.quality) || options.quality < 1 || options.quality > 100) {
    throw new CliError('usage', '--quality must be a whole number from 1 to 100.');
  }
  if (!Number.isInteger(options.tileSize) || options.tileSize < 16 || options.tileSize > 4096) {
    throw new CliError('usage', '--tile-size must be a whole number from 16 to 4096.');
  }
  if (!Number.isInteger(options.overlap) || options.overlap < 0 || options.overlap * 2 >= options.tileSize) {
    throw new CliError('usage', '--overlap must be a whole number from 0 to less than half the tile size.');
  }
}

async function identifyInput(input: string): Promise<SourceIdentity> {
  let info;
  try {
    info = await stat(input);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(code);
    throw new CliError('input-unreadable', `cannot read ${input}: ${why}.`, { cause: error });
  }
  if (!info.isFile()) throw new CliError('input-unreadable', `cannot read ${input}: not a regular file.`);
  const sharp = await loadSharp();
  try {
    await sharp(input, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw new CliError(
      'input-unsupported',
      `${input} is not an image sharp can decode (${(error as Error).message}); use JPEG, PNG, WebP, TIFF, AVIF, GIF or SVG.`,
      { cause: error },
    );
  }
  return { path: await realpath(input), size: info.size, mtimeMs: info.mtimeMs };
}

async function checkTarget(target: string, source: SourceIdentity, force: boolean): Promise<void> {
  const entries = await readdir(target).catch(() => [] as string[]);
  if (entries.length === 0 || force) return;
  const previous = await readFile(join(target, SOURCE_FILE), 'utf8').then(
    (text) => JSON.parse(text) as Partial<SourceIdentity>,
    () => null,
  );
  // Same file, maybe edited since: a new version of the same dataset, not a different one.
  if (previous?.path === source.path) return;
  const holds = previous?.path ? `tiles of ${previous.path}` : 'files this tiler did not make';
  throw new CliError(
    'output-conflict',
    `${target} already holds a different dataset (${holds}); pass --force to replace it, or pick another --dataset or --out.`,
  );
}

export async function runTile(options: TileOptions): Promise<void> {
  const started = Date.now();
  checkOptions(options);
  const source = await identifyInput(options.input);
  const target = join(options.outRoot, options.dataset);
  await checkTarget(target, source, options.force);

  const staging = stagingDirFor(target);
  await rm(staging, { recursive: true, force: true });
  try {
    // autoOrient: photos with EXIF rotation are tiled the way viewers show them.
    const image = (await loadSharp())(options.input, { limitInputPixels: false, autoOrient: true });
    let result;
    try {
      result = await cutPyramid(image, staging, options);
    } catch (error) {
      throw new CliError('tiling-failed', `tiling ${options.input} failed: ${(error as Error).message}`, { cause: error });
    }
    const version = await computeVersion(staging);
    await writeFile(join(staging, SOURCE_FILE), `${JSON.stringify(source)}\n`);
    await writeInfo(staging, {
      width: result.width,
      height: result.height,
      tileSize: options.tileSize,
      overlap: options.overlap,
      minLevel: 0,
      maxLevel: result.maxLevel,
      format: options.format,
      version,
    });
    await publishDataset(staging, target);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    options.log(
      `tiled ${options.input} (${result.width}x${result.height}) into ${target}: ${result.tiles} tiles, levels 0..${result.maxLevel}, version ${version}, ${seconds} s`,
    );
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

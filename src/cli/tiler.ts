/**
 * `tile-accelerator tile`: one big image in, one dataset folder out:
 * `--layout own` (default) `{out}/{dataset}/{z}/{x}/{y}.{ext}` + info.json;
 * `--layout zxy` the same tiles without a descriptor (the original bare
 * design; `describe` adds one); `--layout dzi` `{out}/{dataset}.dzi` +
 * `{out}/{dataset}_files/{level}/{col}_{row}.{jpeg|png|webp}` as `vips dzsave`
 * writes it (levels down to 1x1 px; defaults 254-pixel tiles, overlap 1). The pyramid is built in
 * a staging folder and swapped in whole, so a failed or interrupted run never
 * leaves a half-written dataset where the server or uploader would read it.
 *
 * A `.source.json` beside the tiles remembers which file was tiled; re-tiling
 * the same file (even after editing it) replaces the dataset quietly, but a
 * folder holding anything else is only replaced with --force.
 */
import { readFile, readdir, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
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
  /** own (default): z/x/y + info.json; zxy: z/x/y only; dzi: NAME.dzi + NAME_files/ as vips writes it. */
  readonly layout?: TileLayout;
}

export const TILE_LAYOUTS = ['own', 'zxy', 'dzi'] as const;
export type TileLayout = (typeof TILE_LAYOUTS)[number];

export function parseTileLayout(value: string | undefined): TileLayout {
  const layout = value ?? 'own';
  if (!(TILE_LAYOUTS as readonly string[]).includes(layout)) throw new CliError('usage', `--layout must be one of ${TILE_LAYOUTS.join(', ')}, got "${layout}".`);
  return layout as TileLayout;
}

/** Tile size and overlap when not given: vips' DZI defaults for dzi, ours otherwise. */
export function layoutDefaults(layout: TileLayout): { tileSize: number; overlap: number } {
  return layout === 'dzi' ? { tileSize: 254, overlap: 1 } : { tileSize: 256, overlap: 0 };
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
  if (options.layout === 'dzi') return runTileDzi(options, started);
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
    if (options.layout !== 'zxy') await writeInfo(staging, {
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
      `tiled ${options.input} (${result.width}x${result.height}) into ${target}: ${result.tiles} tiles, levels 0..${result.maxLevel}, version ${version}, ${seconds} s` +
        (options.layout === 'zxy' ? `; no descriptor written (bare z/x/y): run tile-accelerator describe ${options.dataset} to serve it` : ''),
    );
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** DZI exactly as libvips writes it (sharp is libvips): `NAME.dzi` published after `NAME_files/`. */
async function runTileDzi(options: TileOptions, started: number): Promise<void> {
  const descriptor = join(options.outRoot, `${options.dataset}.dzi`);
  const files = join(options.outRoot, `${options.dataset}_files`);
  const exists = await stat(descriptor).then(() => true, () => false);
  if (exists && !options.force) {
    throw new CliError('output-conflict', `${descriptor} already exists; pass --force to replace it, or pick another --dataset or --out.`);
  }
  const staging = stagingDirFor(files);
  await rm(staging, { recursive: true, force: true });
  try {
    const image = (await loadSharp())(options.input, { limitInputPixels: false, autoOrient: true });
    const encoded = options.format === 'png' ? image.png() : options.format === 'webp' ? image.webp({ quality: options.quality }) : image.jpeg({ quality: options.quality });
    let info;
    try {
      info = await encoded.tile({ size: options.tileSize, overlap: options.overlap, layout: 'dz' }).toFile(join(staging, options.dataset));
    } catch (error) {
      throw new CliError('tiling-failed', `tiling ${options.input} failed: ${(error as Error).message}`, { cause: error });
    }
    await publishDataset(join(staging, `${options.dataset}_files`), files);
    await rename(join(staging, `${options.dataset}.dzi`), descriptor);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    options.log(`tiled ${options.input} (${info.width}x${info.height}) into ${descriptor} + ${files}/ (DZI, ${options.tileSize}-pixel tiles, overlap ${options.overlap}), ${seconds} s`);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

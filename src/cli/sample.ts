/**
 * `tile-accelerator sample`: builds the two demo datasets everything else is
 * tested against. `sample` is all JPEG; `mixed` is the same pyramid with a
 * fixed subset of tiles stored only as PNG or only as WebP, so clients must
 * fall back across formats. Both are deterministic: same version every run.
 */
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import pLimit from 'p-limit';
import {
  computeVersion,
  listTileFiles,
  publishDataset,
  readInfo,
  stagingDirFor,
  writeInfo,
} from './dataset-folder.ts';
import { loadSharp } from './load-sharp.ts';
import { cutPyramid, type TileFormat } from './pyramid.ts';
import { renderSampleImage } from './sample-image.ts';

export const SAMPLE_SIZE = 16384;
const TILE_SIZE = 256;
const JPEG_QUALITY = 80;
const WEBP_QUALITY = 80;
const PARALLEL_ENCODES = 4;

export interface SampleOptions {
  readonly outRoot: string;
  readonly ifMissing: boolean;
  readonly size?: number;
  readonly log: (line: string) => void;
}

/** Which format a tile of the mixed dataset is stored in; level 0 stays jpg so the overview always loads. */
export function mixedFormatFor(z: number, x: number, y: number): TileFormat {
  if (z === 0) return 'jpg';
  const bucket = (x + y + z) % 5;
  return bucket === 1 ? 'png' : bucket === 2 ? 'webp' : 'jpg';
}

async function buildSample(outRoot: string, size: number): Promise<string> {
  const target = join(outRoot, 'sample');
  const staging = stagingDirFor(target);
  await rm(staging, { recursive: true, force: true });
  const raw = await renderSampleImage(size);
  const image = (await loadSharp())(raw.data, {
    raw: { width: raw.width, height: raw.height, channels: raw.channels },
    limitInputPixels: false,
  });
  const result = await cutPyramid(image, staging, { tileSize: TILE_SIZE, overlap: 0, format: 'jpg', quality: JPEG_QUALITY });
  const version = await computeVersion(staging);
  await writeInfo(staging, {
    width: result.width,
    height: result.height,
    tileSize: TILE_SIZE,
    overlap: 0,
    minLevel: 0,
    maxLevel: result.maxLevel,
    format: 'jpg',
    version,
  });
  await publishDataset(staging, target);
  return version;
}

async function convertTile(from: string, to: string, format: TileFormat): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  if (format === 'jpg') return copyFile(from, to);
  const image = (await loadSharp())(from);
  const encoded = format === 'png' ? image.png({ compressionLevel: 6 }) : image.webp({ quality: WEBP_QUALITY });
  await writeFile(to, await encoded.toBuffer());
}

async function buildMixed(outRoot: string): Promise<string> {
  const source = join(outRoot, 'sample');
  const target = join(outRoot, 'mixed');
  const staging = stagingDirFor(target);
  await rm(staging, { recursive: true, force: true });
  const info = await readInfo(source);
  if (!info) throw new Error(`${source} has no info.json; build the sample dataset first`);
  const tiles = await listTileFiles(source);
  await pLimit(PARALLEL_ENCODES).map(tiles, async (tile) => {
    const format = mixedFormatFor(tile.z, tile.x, tile.y);
    await convertTile(join(source, tile.relativePath), join(staging, `${tile.z}/${tile.x}/${tile.y}.${format}`), format);
  });
  await writeInfo(staging, { ...info, format: 'jpg', version: await computeVersion(staging) });
  await publishDataset(staging, target);
  return (await readInfo(target))?.version ?? '?';
}

export async function runSample(options: SampleOptions): Promise<void> {
  const started = Date.now();
  const [sample, mixed] = await Promise.all([readInfo(join(options.outRoot, 'sample')), readInfo(join(options.outRoot, 'mixed'))]);
  if (options.ifMissing && sample && mixed) {
    options.log(`sample data present in ${options.outRoot} (sample ${sample.version}, mixed ${mixed.version}); nothing to do`);
    return;
  }
  await mkdir(options.outRoot, { recursive: true });
  const sampleVersion = await buildSample(options.outRoot, options.size ?? SAMPLE_SIZE);
  const mixedVersion = await buildMixed(options.outRoot);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  options.log(`sample data written to ${options.outRoot} (sample ${sampleVersion}, mixed ${mixedVersion}) in ${seconds} s`);
}

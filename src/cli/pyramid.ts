/**
 * Cuts one image into our tile layout `{z}/{x}/{y}.{ext}`.
 *
 * libvips' Deep Zoom writer does the heavy lifting: it streams the image
 * through a shrink pyramid, so memory stays flat even for 32768^2 inputs.
 * Its levels run down to 1x1 px (level L has side ceil(W / 2^(maxDz - L)));
 * ours stop where the whole image fits one tile, so we keep DZ levels
 * L >= maxDz - maxLevel, rename them to z = L - (maxDz - maxLevel) and drop
 * the rest.
 */
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sharp } from 'sharp';
import { maxLevelFor, tileCount } from '../shared/pyramid-math.ts';

/** Formats the tiler writes (a subset of the tile extensions the server accepts). */
export const TILER_FORMATS = ['jpg', 'png', 'webp'] as const;
export type TileFormat = (typeof TILER_FORMATS)[number];

export function isTilerFormat(value: string): value is TileFormat {
  return (TILER_FORMATS as readonly string[]).includes(value);
}

export interface PyramidOptions {
  readonly tileSize: number;
  readonly overlap: number;
  readonly format: TileFormat;
  /** 1-100, for jpg and webp; ignored for png. */
  readonly quality: number;
}

export interface PyramidResult {
  readonly width: number;
  readonly height: number;
  readonly maxLevel: number;
  readonly tiles: number;
}

const DZ_SUFFIX: Record<TileFormat, string> = { jpg: 'jpeg', png: 'png', webp: 'webp' };
const DZ_TILE_NAME = /^(\d+)_(\d+)\.([a-z]+)$/;

function encode(image: Sharp, options: PyramidOptions): Sharp {
  switch (options.format) {
    case 'jpg':
      return image.jpeg({ quality: options.quality });
    case 'png':
      return image.png({ compressionLevel: 6 });
    case 'webp':
      return image.webp({ quality: options.quality });
  }
}

function dzLevels(width: number, height: number): number {
  // libvips: the top DZ level is ceil(log2(max side)); a 1x1 image has one level, 0.
  return maxLevelFor(width, height, 1);
}

/**
 * Writes the pyramid into `dir` (created if needed; should be empty) and
 * returns its geometry. Uses `dir/.dz-work` as scratch space on the same disk,
 * so moving tiles into place is a rename, not a copy.
 */
export async function cutPyramid(image: Sharp, dir: string, options: PyramidOptions): Promise<PyramidResult> {
  const work = join(dir, '.dz-work');
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  try {
    const info = await encode(image, options)
      .tile({ size: options.tileSize, overlap: options.overlap, layout: 'dz', depth: 'onepixel' })
      .toFile(join(work, 'image'));
    const { width, height } = info;
    const maxLevel = maxLevelFor(width, height, options.tileSize);
    const firstKept = dzLevels(width, height) - maxLevel;
    const suffix = DZ_SUFFIX[options.format];
    let tiles = 0;
    for (let z = 0; z <= maxLevel; z++) {
      const levelDir = join(work, 'image_files', String(firstKept + z));
      const madeColumns = new Set<string>();
      for (const name of await readdir(levelDir)) {
        const match = DZ_TILE_NAME.exec(name);
        if (!match || match[3] !== suffix) continue;
        const [, x = '', y = ''] = match;
        const columnDir = join(dir, String(z), x);
        if (!madeColumns.has(x)) {
          await mkdir(columnDir, { recursive: true });
          madeColumns.add(x);
        }
        await rename(join(levelDir, name), join(columnDir, `${y}.${options.format}`));
        tiles++;
      }
    }
    const expected = tileCount(width, height, options.tileSize);
    if (tiles !== expected) {
      // Our level math and libvips' disagree: better to stop than to publish holes.
      throw new Error(`pyramid has ${tiles} tiles, expected ${expected} for ${width}x${height}`);
    }
    return { width, height, maxLevel, tiles };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

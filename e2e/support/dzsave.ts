/**
 * Real pyramids for the tests: a deterministic image made with sharp, cut by
 * `vips dzsave` (libvips-tools) exactly as a user would, into a temp folder.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

/** A width x height PNG: a colour gradient tinted by `tint`, so every tile differs and a re-tile changes every tile. */
export async function writeImage(path: string, width: number, height: number, tint: [number, number, number]): Promise<void> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const i = (y * width + x) * 3;
      pixels[i] = (x * 255) / width + tint[0];
      pixels[i + 1] = (y * 255) / height + tint[1];
      pixels[i + 2] = ((x + y) % 64) * 4 + tint[2];
    }
  }
  await sharp(pixels, { raw: { width, height, channels: 3 } }).png().toFile(path);
}

/** `vips dzsave image root/name [...args]`: writes `root/name.dzi` and `root/name_files/`. */
export function dzsave(image: string, root: string, name: string, args: string[] = []): void {
  execFileSync('vips', ['dzsave', image, join(root, name), ...args], { stdio: 'inherit', timeout: 60_000 });
}

export async function tempFolder(): Promise<{ root: string; remove(): Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'tile-accelerator-pyramid-'));
  return { root, remove: () => rm(root, { recursive: true, force: true }) };
}

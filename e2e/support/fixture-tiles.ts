/**
 * A tiny dataset of solid-colour JPEG tiles in a temp folder, for tests that
 * must change a dataset (never the shared `data/`): 1024x1024 px, three levels.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

export const FIXTURE_INFO = { width: 1024, height: 1024, tileSize: 256, overlap: 0, minLevel: 0, maxLevel: 2, format: 'jpg' } as const;

export async function makeTilesFolder(): Promise<{ root: string; remove(): Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'tile-accelerator-fixture-'));
  return { root, remove: () => rm(root, { recursive: true, force: true }) };
}

/** Writes every tile of `dataset` in one colour, then info.json with `version`. */
export async function writeDataset(root: string, dataset: string, version: string, rgb: [number, number, number]): Promise<void> {
  const [r, g, b] = rgb;
  const tile = await sharp({ create: { width: 256, height: 256, channels: 3, background: { r, g, b } } }).jpeg().toBuffer();
  for (let z = 0; z <= FIXTURE_INFO.maxLevel; z += 1) {
    const across = 2 ** z;
    for (let x = 0; x < across; x += 1) {
      await mkdir(join(root, dataset, String(z), String(x)), { recursive: true });
      for (let y = 0; y < across; y += 1) await writeFile(join(root, dataset, String(z), String(x), `${y}.jpg`), tile);
    }
  }
  await writeFile(join(root, dataset, 'info.json'), JSON.stringify({ ...FIXTURE_INFO, version }));
}

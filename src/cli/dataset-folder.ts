/**
 * A dataset on disk: `{root}/{dataset}/{z}/{x}/{y}.{ext}` plus `info.json`.
 * Listing, the content version hash and the atomic info.json write live here
 * so the tiler, the sample generator and the uploader agree on one layout.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parseDatasetInfo, type DatasetInfo } from '../shared/dataset-info.ts';
import type { TileExtension } from '../shared/tile-key.ts';

export const INFO_FILE = 'info.json';
/** Hex digits of sha256 kept as the version: 48 bits, plenty to tell tilings apart. */
const VERSION_LENGTH = 12;

export interface TileFile {
  /** Path relative to the dataset folder, always with forward slashes: `z/x/y.ext`. */
  readonly relativePath: string;
  readonly z: number;
  readonly x: number;
  readonly y: number;
  readonly ext: TileExtension;
}

const NUMERIC = /^\d+$/;
const TILE_NAME = /^(\d+)\.(jpg|jpeg|png|webp)$/;

async function numericEntries(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries.filter((entry) => entry.isDirectory() && NUMERIC.test(entry.name)).map((entry) => entry.name);
}

/** Every tile file in the dataset folder, sorted by path (a stable order for hashing). */
export async function listTileFiles(datasetDir: string): Promise<TileFile[]> {
  const tiles: TileFile[] = [];
  // The layout is exactly three levels deep, so this walk is bounded by design.
  for (const z of await numericEntries(datasetDir)) {
    for (const x of await numericEntries(join(datasetDir, z))) {
      for (const entry of await readdir(join(datasetDir, z, x), { withFileTypes: true })) {
        const match = TILE_NAME.exec(entry.name);
        if (!entry.isFile() || !match) continue;
        tiles.push({
          relativePath: `${z}/${x}/${entry.name}`,
          z: Number(z),
          x: Number(x),
          y: Number(match[1]),
          ext: match[2] as TileExtension,
        });
      }
    }
  }
  return tiles.sort((a, b) => (a.relativePath < b.relativePath ? -1 : a.relativePath > b.relativePath ? 1 : 0));
}

/** sha256 over sorted `path NUL bytes NUL`, so renaming, re-encoding or dropping a tile changes it. */
export async function computeVersion(datasetDir: string, tiles?: readonly TileFile[]): Promise<string> {
  const hash = createHash('sha256');
  for (const tile of tiles ?? (await listTileFiles(datasetDir))) {
    hash.update(tile.relativePath).update('\0');
    hash.update(await readFile(join(datasetDir, tile.relativePath))).update('\0');
  }
  return hash.digest('hex').slice(0, VERSION_LENGTH);
}

/** Temp file plus rename: a reader sees the old info.json or the new one, never half of one. */
export async function writeInfo(datasetDir: string, info: DatasetInfo): Promise<void> {
  const target = join(datasetDir, INFO_FILE);
  const temp = `${target}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(info, null, 2)}\n`);
  await rename(temp, target);
}

/** The parsed info.json, or null when the folder has none. Throws on a malformed one. */
export async function readInfo(datasetDir: string): Promise<DatasetInfo | null> {
  let text: string;
  try {
    text = await readFile(join(datasetDir, INFO_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  return parseDatasetInfo(JSON.parse(text), basename(datasetDir));
}

/**
 * Moves a finished staging folder into place. The old folder is renamed aside
 * first, so a reader of `target` never sees old and new tiles mixed; the
 * window where `target` is missing is two renames long.
 */
export async function publishDataset(stagingDir: string, targetDir: string): Promise<void> {
  const aside = join(dirname(targetDir), `.${basename(targetDir)}.old-${process.pid}`);
  const hadOld = await stat(targetDir).then(() => true, () => false);
  if (hadOld) await rename(targetDir, aside);
  await rename(stagingDir, targetDir);
  if (hadOld) await rm(aside, { recursive: true, force: true });
}

/** A sibling scratch folder for building `targetDir`; same disk, so publishing is a rename. */
export function stagingDirFor(targetDir: string): string {
  return join(dirname(targetDir), `.${basename(targetDir)}.staging-${process.pid}`);
}

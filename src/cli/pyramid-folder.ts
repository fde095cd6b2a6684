/**
 * A pyramid in a folder, in any layout the companion serves: its descriptor
 * found as the companion finds it (shared/layouts), and every file below its
 * tile root sorted into tiles, side files (blank.png, vips-properties.xml,
 * IIIF levels vips writes beyond its listed scale factors) and the rest.
 * Image files that name no tile are an error naming them, so an upload never
 * publishes a pyramid with tiles the viewer cannot reach.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { findPyramid, IIIF_TILE_PATH, layoutOf, type FoundPyramid, type ObjectReader } from '../shared/layouts/index.ts';
import { isTileExtension } from '../shared/tile-key.ts';
import { CliError } from './cli-error.ts';

export interface PyramidFiles {
  readonly found: FoundPyramid;
  /** Keys (relative to the folder, forward slashes) of tiles and side files, sorted. */
  readonly tiles: readonly string[];
  /** Key of the descriptor: uploaded last, since it publishes the pyramid. */
  readonly descriptor: string;
}

const SIDE_FILES = /(^|\/)(blank\.png|vips-properties\.xml)$/;
const IMAGE_LIKE = /\.(jpe?g|png|webp|tiff?|gif|avif|jp2)$/i;
const SHOWN = 10;

/** Reads `key` below `root`; null when absent. */
export function folderReader(root: string): ObjectReader {
  return async (key) => {
    try {
      return { bytes: new Uint8Array(await readFile(join(root, key))), etag: null };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return null;
      throw error;
    }
  };
}

async function filesBelow(dir: string, root: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => relative(root, join(e.parentPath, e.name)).split('\\').join('/')).sort();
}

/** The pyramid `dataset` (a name, folders allowed) in `root`. Throws CliError naming what is missing or unrecognised. */
export async function pyramidFiles(root: string, dataset: string): Promise<PyramidFiles> {
  let found: FoundPyramid | null;
  try {
    found = await findPyramid(dataset, folderReader(root));
  } catch (error) {
    throw new CliError('not-a-dataset', (error as Error).message, { cause: error });
  }
  if (!found) {
    throw new CliError(
      'not-a-dataset',
      `${join(root, dataset)} has no info.json (nor ${dataset}.dzi, ${dataset}.xml, ImageProperties.xml or vips-properties.xml): ` +
        `tile an image into it first (tile-accelerator tile), or describe a bare {z}/{x}/{y} folder (tile-accelerator describe ${dataset}).`,
    );
  }
  const p = found.pyramid;
  const layout = layoutOf(p.layout);
  const tiles: string[] = [];
  const unrecognised: string[] = [];
  for (const key of await filesBelow(join(root, found.root), root)) {
    if (key === found.descriptorKey) continue;
    const path = key.slice(found.root.length);
    const ext = /\.([A-Za-z0-9]+)$/.exec(path)?.[1] ?? '';
    const named = isTileExtension(ext) && layout.parseTilePath({ ...p, format: ext }, path) !== null;
    if (named || SIDE_FILES.test(path) || (p.layout === 'iiif' && IIIF_TILE_PATH.test(path))) tiles.push(key);
    else if (IMAGE_LIKE.test(path)) unrecognised.push(key);
  }
  if (unrecognised.length > 0) {
    const shown = unrecognised.slice(0, SHOWN).join(', ');
    const more = unrecognised.length > SHOWN ? ` and ${unrecognised.length - SHOWN} more` : '';
    throw new CliError(
      'unrecognised-tiles',
      `${found.descriptorKey} describes a ${p.layout} pyramid (levels ${p.minLevel}-${p.maxLevel}, ${p.format}), but ${unrecognised.length} image files below ${found.root} name none of its tiles: ${shown}${more}. ` +
        'Remove them, or fix the descriptor (tile-accelerator describe rewrites a bare one).',
    );
  }
  return { found, tiles, descriptor: found.descriptorKey };
}

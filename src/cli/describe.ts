/**
 * `tile-accelerator describe NAME`: writes the descriptor of a bare pyramid
 * (`NAME/{z}/{x}/{y}.{ext}`, or `{z}/{y}/{x}` with `--layout xyz`) that has
 * none, inferred from the files present, so the companion can serve it:
 *
 * - levels: the numeric folders (they must be contiguous); the highest is full resolution;
 * - tile size: the width of tile (0,0) of the highest level (its height when it is one column wide);
 * - width, height: full tiles times the tile size plus the right and bottom edge tiles' pixel sizes (sharp),
 *   checked against the bottom-right tile;
 * - every level's tiles are checked against that geometry (levels halve, rounding up, as OpenSeadragon's do).
 *
 * The result is the project's own info.json with a `layout` field (`zxy` or
 * `xyz`) and a content `version`, written atomically into the tiles folder, or
 * PUT into the bucket (`--bucket`, the upload's variables) for a pyramid
 * that is only there.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { S3Objects } from '../shared/s3-objects.ts';
import type { DatasetInfo } from '../shared/dataset-info.ts';
import { findPyramid, levelGrid, type ObjectReader, type Pyramid } from '../shared/layouts/index.ts';
import type { TileExtension } from '../shared/tile-key.ts';
import { CliError } from './cli-error.ts';
import { computeVersion, listTileFiles, writeInfo, type TileFile } from './dataset-folder.ts';
import { folderReader } from './pyramid-folder.ts';

export interface DescribeOptions {
  /** Folder holding the pyramids (TILES_DIR). */
  readonly root: string;
  readonly dataset: string;
  readonly layout: 'zxy' | 'xyz';
  /** Replace an existing descriptor. */
  readonly force: boolean;
  readonly log: (line: string) => void;
}

interface Tile {
  readonly level: number;
  readonly x: number;
  readonly y: number;
  readonly file: TileFile;
}

const fail = (message: string): never => {
  throw new CliError('cannot-describe', message);
};

/** Reads a tile's bytes by its path relative to the dataset. */
type TileBytes = (relativePath: string) => Promise<Uint8Array>;

const TILE_KEY = /^(\d+)\/(\d+)\/(\d+)\.(jpg|jpeg|png|webp)$/;

/** Tile files from keys relative to the dataset (`z/a/b.ext`); other keys are ignored. */
export function tileFilesOf(keys: readonly string[]): TileFile[] {
  const files: TileFile[] = [];
  for (const key of keys) {
    const m = TILE_KEY.exec(key);
    if (m) files.push({ relativePath: key, z: Number(m[1]), x: Number(m[2]), y: Number(m[3]), ext: m[4] as TileExtension });
  }
  return files;
}

/**
 * Infers the geometry from the tiles present (`dir` names them in messages);
 * throws CliError naming the disagreement.
 */
export async function inferPyramid(
  dir: string,
  layout: 'zxy' | 'xyz',
  files: TileFile[],
  bytesOf: TileBytes,
): Promise<{ info: Omit<DatasetInfo, 'version'>; missing: number }> {
  const pixelSize = async (tile: Tile): Promise<{ width: number; height: number }> => {
    const { width, height } = await sharp(await bytesOf(tile.file.relativePath)).metadata();
    if (!width || !height) fail(`${tile.file.relativePath} is not an image sharp can read.`);
    return { width: width!, height: height! };
  };
  if (files.length === 0) fail(`${dir} holds no {z}/{x}/{y}.{jpg,jpeg,png,webp} tiles to describe.`);
  // listTileFiles reads folders as z/a/b: a is the column for zxy, the row for xyz.
  const tiles = files.map<Tile>((f) => (layout === 'zxy' ? { level: f.z, x: f.x, y: f.y, file: f } : { level: f.z, x: f.y, y: f.x, file: f }));
  const levels = [...new Set(tiles.map((t) => t.level))].sort((a, b) => a - b);
  const [minLevel, maxLevel] = [levels[0]!, levels[levels.length - 1]!];
  if (levels.length !== maxLevel - minLevel + 1) fail(`${dir} has levels ${levels.join(', ')}: a pyramid's levels must be contiguous.`);
  const counts = new Map<TileExtension, number>();
  for (const f of files) counts.set(f.ext, (counts.get(f.ext) ?? 0) + 1);
  const format = [...counts].sort((a, b) => b[1] - a[1])[0]![0];

  const top = tiles.filter((t) => t.level === maxLevel);
  const columns = Math.max(...top.map((t) => t.x)) + 1;
  const rows = Math.max(...top.map((t) => t.y)) + 1;
  const at = (x: number, y: number) =>
    top.find((t) => t.x === x && t.y === y) ?? fail(`level ${maxLevel} has no tile at column ${x}, row ${y}: the edge tiles give the image size.`);
  const first = await pixelSize(at(0, 0));
  const tileSize = columns > 1 ? first.width : rows > 1 ? first.height : Math.max(first.width, first.height);
  if (columns > 1 && rows > 1 && first.width !== first.height) fail(`tile ${at(0, 0).file.relativePath} is ${first.width}x${first.height}: tiles must be square.`);
  const width = (columns - 1) * tileSize + (await pixelSize(at(columns - 1, 0))).width;
  const height = (rows - 1) * tileSize + (await pixelSize(at(0, rows - 1))).height;
  // The bottom-right tile must be exactly what is left of the image: catches a swapped z/y/x reading and stray sizes.
  const corner = await pixelSize(at(columns - 1, rows - 1));
  const expected = { width: width - (columns - 1) * tileSize, height: height - (rows - 1) * tileSize };
  if (corner.width !== expected.width || corner.height !== expected.height) {
    fail(
      `${at(columns - 1, rows - 1).file.relativePath} is ${corner.width}x${corner.height}, but a ${width}x${height} image in ${tileSize}-pixel tiles ends in a ${expected.width}x${expected.height} tile: ` +
        `check --layout (zxy is {z}/{x}/{y}, xyz is {z}/{y}/{x}).`,
    );
  }
  const pyramid: Pyramid = { layout, width, height, tileSize, overlap: 0, minLevel, maxLevel, format, rounding: 'ceil' };

  let missing = 0;
  for (const level of levels) {
    const grid = levelGrid(pyramid, level);
    const here = tiles.filter((t) => t.level === level);
    const outside = here.find((t) => t.x >= grid.columns || t.y >= grid.rows);
    if (outside) {
      fail(`${outside.file.relativePath} lies outside level ${level} of a ${width}x${height} image in ${tileSize}-pixel tiles (${grid.columns}x${grid.rows} tiles): levels must halve from ${maxLevel} down.`);
    }
    missing += grid.columns * grid.rows - new Set(here.map((t) => `${t.x}/${t.y}`)).size;
  }
  return { info: { width, height, tileSize, overlap: 0, minLevel, maxLevel, format, layout, rounding: 'ceil' }, missing };
}

async function refuseDescribed(dataset: string, read: ObjectReader, force: boolean): Promise<void> {
  const existing = await findPyramid(dataset, read).catch(() => null);
  if (existing && existing.kind !== 'own') fail(`${dataset} is a ${existing.kind} pyramid (${existing.descriptorKey}): it needs no describing.`);
  if (existing && !force) {
    fail(`${dataset} is already described by ${existing.descriptorKey} (a ${existing.pyramid.layout} pyramid); pass --force to replace an own info.json.`);
  }
}

function report(where: string, info: DatasetInfo, missing: number): string {
  return (
    `described ${where}: ${info.layout} ${info.width}x${info.height}, ${info.tileSize}-pixel ${info.format} tiles, levels ${info.minLevel}..${info.maxLevel}` +
    `${missing ? `, ${missing} tiles missing (served as 404)` : ''}; wrote info.json (version ${info.version})`
  );
}

/** Describes a bare pyramid in the tiles folder: writes `{root}/{dataset}/info.json`. */
export async function runDescribe(options: DescribeOptions): Promise<DatasetInfo> {
  const dir = join(options.root, options.dataset);
  await refuseDescribed(options.dataset, folderReader(options.root), options.force);
  const tiles = await listTileFiles(dir);
  const { info, missing } = await inferPyramid(dir, options.layout, tiles, (path) => readFile(join(dir, path)));
  const described: DatasetInfo = { ...info, version: await computeVersion(dir, tiles) };
  await writeInfo(dir, described);
  options.log(report(dir, described, missing));
  return described;
}

/**
 * Describes a bare pyramid already in the bucket: lists `{dataset}/`, reads
 * the three tiles that give the size, and PUTs `{dataset}/info.json` (its
 * version hashes the listed keys and ETags, so no tile is downloaded twice).
 */
export async function runDescribeBucket(options: Omit<DescribeOptions, 'root'> & { objects: S3Objects; bucket: string }): Promise<DatasetInfo> {
  const { objects, dataset } = options;
  const where = `s3://${options.bucket}/${dataset}`;
  await refuseDescribed(dataset, async (key) => objects.get(key), options.force);
  const listed = await objects.list(`${dataset}/`);
  const tiles = tileFilesOf(listed.map((o) => o.key.slice(dataset.length + 1)));
  const { info, missing } = await inferPyramid(where, options.layout, tiles, async (path) => {
    const object = await objects.get(`${dataset}/${path}`);
    return object?.bytes ?? fail(`${where}/${path} disappeared while describing.`);
  });
  const hash = createHash('sha256');
  for (const o of [...listed].sort((a, b) => (a.key < b.key ? -1 : 1))) hash.update(`${o.key}\0${o.etag}\0`);
  const described: DatasetInfo = { ...info, version: hash.digest('hex').slice(0, 12) };
  const body = new TextEncoder().encode(`${JSON.stringify(described, null, 2)}\n`) as Uint8Array<ArrayBuffer>;
  await objects.put(`${dataset}/info.json`, body, { contentType: 'application/json', cacheControl: 'public, max-age=60' });
  options.log(report(where, described, missing));
  return described;
}

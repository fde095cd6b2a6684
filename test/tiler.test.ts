import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CliError } from '../src/cli/cli-error.ts';
import { listTileFiles, readInfo } from '../src/cli/dataset-folder.ts';
import { runTile, type TileOptions } from '../src/cli/tiler.ts';
import { tileCount } from '../src/shared/pyramid-math.ts';
import { makeTempDir, makeTestImage } from './support/fixtures.ts';

let temp: { path: string; remove(): Promise<void> };
let image: string;
let out: string;
const lines: string[] = [];

function options(overrides: Partial<TileOptions> = {}): TileOptions {
  return { input: image, dataset: 'photo', outRoot: out, format: 'jpg', quality: 80, tileSize: 256, overlap: 0, force: false, log: (l) => lines.push(l), ...overrides };
}

async function expectCliError(promise: Promise<unknown>, code: CliError['code'], message: RegExp): Promise<void> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(CliError);
  expect((error as CliError).code).toBe(code);
  expect((error as CliError).message).toMatch(message);
}

beforeEach(async () => {
  temp = await makeTempDir('tiler-test-');
  image = join(temp.path, 'input.jpg');
  out = join(temp.path, 'tiles');
  await makeTestImage(image);
});
afterEach(async () => {
  await temp.remove();
});

describe('tile', () => {
  it('cuts a 1000x700 image into levels 0..2 with the right tile sizes and info.json', async () => {
    await runTile(options());
    const dir = join(out, 'photo');
    const info = await readInfo(dir);
    expect(info).toMatchObject({ width: 1000, height: 700, tileSize: 256, overlap: 0, minLevel: 0, maxLevel: 2, format: 'jpg' });
    expect(info?.version).toMatch(/^[0-9a-f]{12}$/);
    const tiles = await listTileFiles(dir);
    expect(tiles).toHaveLength(tileCount(1000, 700, 256));
    // The last column and row are partial: 1000 - 3*256 = 232, 700 - 2*256 = 188.
    expect(await sharp(join(dir, '2/3/2.jpg')).metadata()).toMatchObject({ width: 232, height: 188, format: 'jpeg' });
    expect(await sharp(join(dir, '2/0/0.jpg')).metadata()).toMatchObject({ width: 256, height: 256 });
    // Level 0 is the whole image in one tile: 1000x700 / 4.
    expect(await sharp(join(dir, '0/0/0.jpg')).metadata()).toMatchObject({ width: 250, height: 175 });
    expect(lines.at(-1)).toMatch(/17 tiles, levels 0\.\.2/);
  });

  it('writes png and webp tiles, with overlap, when asked', async () => {
    await runTile(options({ format: 'webp', dataset: 'w', overlap: 1, quality: 60 }));
    const webp = await listTileFiles(join(out, 'w'));
    expect(webp.every((t) => t.ext === 'webp')).toBe(true);
    // With overlap 1, an inner tile carries one extra pixel on each inner side.
    expect(await sharp(join(out, 'w/2/1/1.webp')).metadata()).toMatchObject({ width: 258, height: 258, format: 'webp' });
    await runTile(options({ format: 'png', dataset: 'p' }));
    expect((await readInfo(join(out, 'p')))?.format).toBe('png');
    expect(await sharp(join(out, 'p/1/0/0.png')).metadata()).toMatchObject({ format: 'png' });
  });

  it('gives a new version when the image changes', async () => {
    await runTile(options());
    const first = (await readInfo(join(out, 'photo')))?.version;
    await makeTestImage(image, 'changed');
    await runTile(options());
    expect((await readInfo(join(out, 'photo')))?.version).not.toBe(first);
  });

  it('refuses a missing file or a folder as input', async () => {
    await expectCliError(runTile(options({ input: join(temp.path, 'missing.jpg') })), 'input-unreadable', /no such file/);
    await expectCliError(runTile(options({ input: temp.path })), 'input-unreadable', /not a regular file/);
  });

  it('refuses a file that is not an image', async () => {
    const text = join(temp.path, 'notes.jpg');
    await writeFile(text, 'these are not pixels\n');
    await expectCliError(runTile(options({ input: text })), 'input-unsupported', /not an image/);
  });

  it('refuses dataset names that break the naming rules', async () => {
    for (const dataset of ['../escape', 'a/b', '', 'a..b', 'x'.repeat(129), 'spaces here']) {
      await expectCliError(runTile(options({ dataset })), 'bad-dataset-name', /invalid/);
    }
  });

  it('refuses an output folder holding a different dataset unless --force', async () => {
    const other = join(temp.path, 'other.jpg');
    await makeTestImage(other, 'other');
    await runTile(options());
    await expectCliError(runTile(options({ input: other })), 'output-conflict', /--force/);
    await mkdir(join(out, 'foreign'), { recursive: true });
    await writeFile(join(out, 'foreign', 'readme.txt'), 'not tiles');
    await expectCliError(runTile(options({ dataset: 'foreign' })), 'output-conflict', /did not make/);

    await runTile(options({ input: other, force: true }));
    const source = JSON.parse(await readFile(join(out, 'photo', '.source.json'), 'utf8')) as { path: string };
    expect(source.path).toMatch(/other\.jpg$/);
  });

  it('re-tiles the same source into its own folder without --force', async () => {
    await runTile(options());
    await runTile(options({ quality: 50 }));
    expect(await readInfo(join(out, 'photo'))).not.toBeNull();
  });

  it('rejects out-of-range numeric options', async () => {
    await expectCliError(runTile(options({ quality: 0 })), 'usage', /quality/);
    await expectCliError(runTile(options({ tileSize: 8 })), 'usage', /tile-size/);
    await expectCliError(runTile(options({ overlap: 128 })), 'usage', /overlap/);
  });
});

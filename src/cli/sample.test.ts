import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tileCount } from '../shared/pyramid-math.ts';
import { listTileFiles, readInfo } from './dataset-folder.ts';
import { mixedFormatFor, runSample } from './sample.ts';

describe('mixedFormatFor', () => {
  it('keeps level 0 as jpg and spreads png/webp by (x+y+z)%5', () => {
    expect(mixedFormatFor(0, 0, 0)).toBe('jpg');
    expect(mixedFormatFor(1, 0, 0)).toBe('png');
    expect(mixedFormatFor(1, 1, 0)).toBe('webp');
    expect(mixedFormatFor(1, 1, 1)).toBe('jpg');
  });
});

describe('runSample (2048 px stand-in for the 16384 px default)', () => {
  let root: string;
  const lines: string[] = [];
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'sample-test-'));
    await runSample({ outRoot: root, ifMissing: false, size: 2048, log: (line) => lines.push(line) });
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('writes a full jpg pyramid with a matching info.json', async () => {
    const info = await readInfo(join(root, 'sample'));
    expect(info).toMatchObject({ width: 2048, height: 2048, tileSize: 256, overlap: 0, minLevel: 0, maxLevel: 3, format: 'jpg' });
    const tiles = await listTileFiles(join(root, 'sample'));
    expect(tiles).toHaveLength(tileCount(2048, 2048, 256));
    expect(tiles.every((tile) => tile.ext === 'jpg')).toBe(true);
    const top = await readFile(join(root, 'sample/0/0/0.jpg'));
    expect(top.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
  });

  it('stores each mixed tile in exactly one format, as mixedFormatFor says', async () => {
    const tiles = await listTileFiles(join(root, 'mixed'));
    expect(tiles).toHaveLength(tileCount(2048, 2048, 256));
    for (const tile of tiles) expect(tile.ext).toBe(mixedFormatFor(tile.z, tile.x, tile.y));
    const png = tiles.find((tile) => tile.ext === 'png');
    expect(png).toBeDefined();
    const bytes = await readFile(join(root, 'mixed', png!.relativePath));
    expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    const info = await readInfo(join(root, 'mixed'));
    expect(info?.format).toBe('jpg');
  });

  it('is deterministic: a second build gives the same versions', async () => {
    const before = [await readInfo(join(root, 'sample')), await readInfo(join(root, 'mixed'))];
    await runSample({ outRoot: root, ifMissing: false, size: 2048, log: (line) => lines.push(line) });
    const after = [await readInfo(join(root, 'sample')), await readInfo(join(root, 'mixed'))];
    expect(after.map((i) => i?.version)).toEqual(before.map((i) => i?.version));
    expect(before[0]?.version).not.toBe(before[1]?.version);
  });

  it('with --if-missing does nothing when both datasets exist, and says so', async () => {
    const mtime = (await stat(join(root, 'sample/info.json'))).mtimeMs;
    lines.length = 0;
    await runSample({ outRoot: root, ifMissing: true, size: 2048, log: (line) => lines.push(line) });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/nothing to do/);
    expect((await stat(join(root, 'sample/info.json'))).mtimeMs).toBe(mtime);
  });
});

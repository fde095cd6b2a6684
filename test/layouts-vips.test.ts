/**
 * The layouts against what `vips dzsave` really writes: for each fixture the
 * descriptor found by probing parses to a geometry whose every tile is a
 * file, and every tile file vips wrote is named by exactly one tile.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPyramid, layoutOf, levelGrid, type FoundPyramid, type ObjectReader } from '../src/shared/layouts/index.ts';
import { makeVipsPyramids, type VipsPyramids } from './support/vips-pyramids.ts';

let pyramids: VipsPyramids;

beforeAll(async () => {
  pyramids = await makeVipsPyramids();
});
afterAll(() => pyramids?.cleanup());

const folderReader = (root: string): ObjectReader => async (key) => {
  try {
    return { bytes: new Uint8Array(await readFile(join(root, key))), etag: null };
  } catch {
    return null;
  }
};

function tileKeys(found: FoundPyramid): Map<string, string> {
  const p = found.pyramid;
  const layout = layoutOf(p.layout);
  const keys = new Map<string, string>();
  for (let level = p.minLevel; level <= p.maxLevel; level++) {
    const { columns, rows } = levelGrid(p, level);
    for (let y = 0; y < rows; y++) for (let x = 0; x < columns; x++) keys.set(`${found.root}${layout.tilePath(p, { level, x, y })}`, `${level}/${x}/${y}`);
  }
  return keys;
}

const NOT_TILES = /(^|\/)(vips-properties\.xml|info\.json|ImageProperties\.xml|blank\.png|[^/]+\.dzi)$/;

describe('layouts on vips dzsave output', () => {
  it.each(['dzi-default', 'dzi-256', 'dzi-png', 'iiif2', 'iiif3', 'zoomify', 'google', 'collections/case-1'])('%s: descriptor, tile names and files agree', async (name) => {
    const found = await findPyramid(name, folderReader(pyramids.root));
    expect(found).not.toBeNull();
    const keys = tileKeys(found!);
    const files = new Set(pyramids.files.filter((f) => f.startsWith(found!.root) && !NOT_TILES.test(f)));
    const missing = [...keys.keys()].filter((k) => !files.has(k));
    const unnamed = [...files].filter((f) => !keys.has(f));
    const p = found!.pyramid;
    if (p.layout === 'xyz') {
      // The square geometry's tiles outside the image are blank: vips skips them and writes blank.png instead.
      expect(found!.blankKey).toBe(`${name}/blank.png`);
      expect(missing.length).toBeLessThan(keys.size);
      for (const key of missing) {
        const [level, x, y] = keys.get(key)!.split('/').map(Number) as [number, number, number];
        const scale = 2 ** (p.maxLevel - level);
        expect(x * p.tileSize >= Math.ceil(1000 / scale) || y * p.tileSize >= Math.ceil(700 / scale)).toBe(true);
      }
    } else {
      expect(missing).toEqual([]);
    }
    if (p.layout === 'iiif') {
      // vips 8.14 lists one scale factor fewer than it writes (default: [1] only, 512 px tiles);
      // OpenSeadragon derives its levels from the list, so (like it) we ignore the extra smallest level.
      expect(unnamed.length).toBeLessThanOrEqual(1);
      for (const file of unnamed) expect(file).toMatch(/\/0,0,1000,700\/\d+,(\d+)?\/0\/default\.jpg$/);
    } else {
      expect(unnamed).toEqual([]);
    }
    // Each named key names exactly one tile (the Map would have collapsed duplicates).
    expect(new Set(keys.values()).size).toBe(keys.size);
  });

  it('reads the geometries as OpenSeadragon does', async () => {
    const read = folderReader(pyramids.root);
    const geometry = async (name: string) => (await findPyramid(name, read))!.pyramid;
    expect(await geometry('dzi-default')).toMatchObject({ layout: 'dzi', width: 1000, height: 700, tileSize: 254, overlap: 1, minLevel: 0, maxLevel: 10, format: 'jpeg' });
    expect(await geometry('dzi-png')).toMatchObject({ format: 'png' });
    expect(await geometry('iiif2')).toMatchObject({ layout: 'iiif', iiifVersion: 2, tileSize: 512, maxLevel: 0, format: 'jpg', iiifLevel0: true });
    expect(await geometry('iiif3')).toMatchObject({ layout: 'iiif', iiifVersion: 3, tileSize: 512, maxLevel: 0 });
    expect(await geometry('zoomify')).toMatchObject({ layout: 'zoomify', rounding: 'floor', maxLevel: 2, tileSize: 256 });
    expect(await geometry('google')).toMatchObject({ layout: 'xyz', width: 1024, height: 1024, tileSize: 256, maxLevel: 2, format: 'jpg' });
    expect(await findPyramid('bare', read)).toBeNull();
  });
});

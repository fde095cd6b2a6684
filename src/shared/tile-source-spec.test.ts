import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { levelGrid, type LayoutName, type Pyramid, type TileAddress } from './layouts/index.ts';
import { parseTileSourceSpec, tileUrlsOf, type TileSourceSpec } from './tile-source-spec.ts';

const ROOT = 'https://images.example.com/collections/scan_files/';

const pyramidArb = (layout: LayoutName) =>
  fc.record({ width: fc.integer({ min: 1, max: 200_000 }), height: fc.integer({ min: 1, max: 200_000 }), tileSize: fc.constantFrom(254, 256, 512), overlap: fc.constantFrom(0, 1) }).map(({ width, height, tileSize, overlap }): Pyramid => {
    const maxLevel = Math.ceil(Math.log2(Math.max(width, height)));
    return { layout, width, height, tileSize, overlap, minLevel: 0, maxLevel, format: 'jpeg', rounding: layout === 'zoomify' ? 'floor' : 'ceil' };
  });

/** A pyramid and one of its tiles. */
const tileOf = (layout: LayoutName) =>
  pyramidArb(layout).chain((p) =>
    fc.integer({ min: p.minLevel, max: p.maxLevel }).chain((level) => {
      const { columns, rows } = levelGrid(p, level);
      return fc.record({ x: fc.integer({ min: 0, max: columns - 1 }), y: fc.integer({ min: 0, max: rows - 1 }) }).map(({ x, y }) => ({ p, t: { level, x, y } as TileAddress }));
    }),
  );

const spec = (p: Pyramid, paths: TileSourceSpec['paths'], query = ''): TileSourceSpec => parseTileSourceSpec({ pyramid: p, paths, tileRoot: ROOT, query });
const queryArb = fc.constantFrom('', '?token=abc', '?v=2&sig=x%2Fy');

describe('tile source specs: URL -> tile -> URL', () => {
  for (const layout of ['dzi', 'zxy', 'xyz', 'own', 'zoomify'] as const) {
    it(`${layout}: every tile's URL parses back to the tile, whatever query string rides along`, () => {
      fc.assert(
        fc.property(tileOf(layout), queryArb, queryArb, ({ p, t }, query, other) => {
          const urls = tileUrlsOf(spec(p, { layout }, query));
          const url = urls.url(t);
          expect(url.startsWith(ROOT) && url.endsWith(query)).toBe(true);
          expect(urls.parse(url)).toEqual(t);
          // A signed URL or cache buster the page changed still names the same tile.
          expect(urls.parse(url.replace(/\?.*$/, '') + other)).toEqual(t);
        }),
      );
    });
  }

  it('a learned URL template round-trips, query placeholders included', () => {
    fc.assert(
      fc.property(tileOf('zxy'), fc.constantFrom('https://t.example.com/a/{level}/{x}/{y}.jpg?key=k', 'https://t.example.com/tile?z={level}&y={y}&x={x}', 'https://t.example.com/{y}-{x}/L{level}.png'), ({ p, t }, template) => {
        const urls = tileUrlsOf(spec(p, { template }));
        expect(urls.parse(urls.url(t))).toEqual(t);
      }),
    );
  });

  it('names no tile outside the pyramid, below another root, or in another format', () => {
    const p: Pyramid = { layout: 'dzi', width: 1500, height: 1100, tileSize: 254, overlap: 1, minLevel: 0, maxLevel: 11, format: 'jpeg', rounding: 'ceil' };
    const urls = tileUrlsOf(spec(p, { layout: 'dzi' }));
    expect(urls.parse(`${ROOT}11/5_4.jpeg`)).toEqual({ level: 11, x: 5, y: 4 });
    expect(urls.parse(`${ROOT}11/6_0.jpeg`)).toBeNull(); // 1500 px / 254 = 6 columns: 0..5
    expect(urls.parse(`${ROOT}12/0_0.jpeg`)).toBeNull();
    expect(urls.parse(`${ROOT}11/0_0.png`)).toBeNull();
    expect(urls.parse('https://images.example.com/other_files/11/0_0.jpeg')).toBeNull();
    expect(urls.parse(`${ROOT}11/01_0.jpeg`)).toBeNull();
  });

  it('refuses specs that cannot work, saying what is wrong', () => {
    const p = { layout: 'dzi', width: 10, height: 10, tileSize: 256, overlap: 0, minLevel: 0, maxLevel: 4, format: 'jpeg', rounding: 'ceil' };
    expect(() => parseTileSourceSpec({ pyramid: p, paths: { layout: 'dzi' }, tileRoot: 'scan_files/' })).toThrow(/tileRoot.*absolute URL/);
    expect(() => parseTileSourceSpec({ pyramid: { ...p, format: 'tif' }, paths: { layout: 'dzi' }, tileRoot: ROOT })).toThrow(/format/);
    expect(() => parseTileSourceSpec({ pyramid: p, paths: { template: 'https://t.example.com/{level}/{x}.jpg' }, tileRoot: ROOT })).toThrow(/\{level\}, \{x\} and \{y\}/);
    expect(parseTileSourceSpec({ pyramid: p, paths: { layout: 'dzi' }, tileRoot: ROOT }).id).toBe(ROOT);
  });
});

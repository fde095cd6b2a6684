/**
 * Property tests for every layout: tile -> path -> tile round-trips on random
 * geometries, random strings never parse to a tile outside the pyramid, and
 * descriptor parsing of garbage ends in a typed error, never a crash.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TileError } from '../errors.ts';
import { hasTile, layoutOf, levelGrid, LAYOUT_NAMES, parseDescriptor, tileRootOf, type Pyramid, type TileAddress } from './index.ts';
import { TILE_EXTENSIONS } from '../tile-key.ts';

const pyramidArb: fc.Arbitrary<Pyramid> = fc
  .record({
    layout: fc.constantFrom(...LAYOUT_NAMES),
    width: fc.integer({ min: 1, max: 300_000 }),
    height: fc.integer({ min: 1, max: 300_000 }),
    tileSize: fc.integer({ min: 1, max: 1024 }),
    format: fc.constantFrom(...TILE_EXTENSIONS),
    iiifVersion: fc.constantFrom(2 as const, 3 as const),
    iiifLevel0: fc.boolean(),
    minLevelDrop: fc.integer({ min: 0, max: 3 }),
    extraLevels: fc.integer({ min: -3, max: 3 }),
  })
  .map(({ layout, width, height, tileSize, format, iiifVersion, iiifLevel0, minLevelDrop, extraLevels }) => {
    let oneTile = 0;
    while (tileSize * 2 ** oneTile < Math.max(width, height)) oneTile++;
    // IIIF levels come from scale factors no larger than the short side: below that, OpenSeadragon
    // itself asks for `full/full` at several levels (a 1-pixel-wide image is full width at every level).
    let maxLevel = Math.max(0, oneTile + extraLevels);
    if (layout === 'iiif') while (maxLevel > 0 && 2 ** maxLevel > Math.min(width, height)) maxLevel--;
    const minLevel = Math.min(maxLevel, minLevelDrop);
    return {
      layout,
      width,
      height,
      tileSize,
      overlap: layout === 'dzi' ? Math.min(1, tileSize - 1) : 0,
      minLevel,
      maxLevel,
      format,
      rounding: layout === 'zoomify' ? ('floor' as const) : ('ceil' as const),
      ...(layout === 'iiif' ? { iiifVersion, iiifLevel0 } : {}),
    };
  });

function tileOf(p: Pyramid): fc.Arbitrary<TileAddress> {
  return fc.integer({ min: p.minLevel, max: p.maxLevel }).chain((level) => {
    const { columns, rows } = levelGrid(p, level);
    return fc.record({ level: fc.constant(level), x: fc.integer({ min: 0, max: columns - 1 }), y: fc.integer({ min: 0, max: rows - 1 }) });
  });
}

describe('layouts', () => {
  it('parseTilePath(tilePath(t)) is t for every layout and geometry', () => {
    fc.assert(
      fc.property(pyramidArb.chain((p) => fc.tuple(fc.constant(p), tileOf(p))), ([p, t]) => {
        const layout = layoutOf(p.layout);
        expect(layout.parseTilePath(p, layout.tilePath(p, t))).toEqual(t);
      }),
      { numRuns: 3000 },
    );
  });

  it('distinct tiles of a level get distinct paths', () => {
    fc.assert(
      fc.property(pyramidArb.chain((p) => fc.tuple(fc.constant(p), tileOf(p), tileOf(p))), ([p, a, b]) => {
        const layout = layoutOf(p.layout);
        if (a.level !== b.level || a.x !== b.x || a.y !== b.y) expect(layout.tilePath(p, a)).not.toBe(layout.tilePath(p, b));
      }),
      { numRuns: 2000 },
    );
  });

  const pathLike = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc
      .tuple(fc.nat(40), fc.integer({ min: -2, max: 5000 }), fc.integer({ min: -2, max: 5000 }), fc.constantFrom('/', '_', '-', ','))
      .map(([z, x, y, sep]) => `${z}/${x}${sep}${y}.jpg`),
    fc
      .tuple(fc.nat(100_000), fc.nat(100_000), fc.nat(5000), fc.nat(5000), fc.nat(3000))
      .map(([x, y, w, h, s]) => `${x},${y},${w},${h}/${s},/0/default.jpg`),
    fc.tuple(fc.nat(300), fc.nat(30), fc.nat(300), fc.nat(300)).map(([g, z, x, y]) => `TileGroup${g}/${z}-${x}-${y}.jpg`),
  );

  it('random strings never parse to a tile outside the pyramid, and what parses formats back to itself', () => {
    fc.assert(
      fc.property(pyramidArb, pathLike, (p, path) => {
        const layout = layoutOf(p.layout);
        const tile = layout.parseTilePath(p, path);
        if (tile) {
          expect(hasTile(p, tile)).toBe(true);
          expect(layout.tilePath(p, tile)).toBe(path);
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('IIIF paths match what OpenSeadragon 6.1 asks for (vips 1000x700, 256 px tiles)', () => {
    const v2: Pyramid = { layout: 'iiif', width: 1000, height: 700, tileSize: 256, overlap: 0, minLevel: 0, maxLevel: 1, format: 'jpg', rounding: 'ceil', iiifVersion: 2, iiifLevel0: true };
    const iiif = layoutOf('iiif');
    expect(iiif.tilePath(v2, { level: 1, x: 3, y: 2 })).toBe('768,512,232,188/232,/0/default.jpg');
    expect(iiif.tilePath(v2, { level: 0, x: 1, y: 0 })).toBe('512,0,488,512/244,/0/default.jpg');
    expect(iiif.tilePath({ ...v2, iiifVersion: 3 }, { level: 0, x: 1, y: 1 })).toBe('512,512,488,188/244,94/0/default.jpg');
    const small = { ...v2, width: 200, height: 100, maxLevel: 1 };
    expect(iiif.tilePath(small, { level: 1, x: 0, y: 0 })).toBe('full/full/0/default.jpg');
    expect(iiif.tilePath(small, { level: 0, x: 0, y: 0 })).toBe('full/100,/0/default.jpg');
    expect(iiif.tilePath({ ...small, iiifVersion: 3 }, { level: 1, x: 0, y: 0 })).toBe('full/max/0/default.jpg');
  });

  it('tile roots follow OpenSeadragon: DZI drops the extension and adds _files/, others use the folder', () => {
    expect(tileRootOf('collections/scan.dzi')).toBe('collections/scan_files/');
    expect(tileRootOf('scan.xml')).toBe('scan_files/');
    expect(tileRootOf('a/b/info.json')).toBe('a/b/');
    expect(tileRootOf('a/ImageProperties.xml')).toBe('a/');
  });
});

describe('parseDescriptor', () => {
  const garbage = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.json({ maxDepth: 3 }),
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify({ '@context': 'http://iiif.io/api/image/2/context.json', tiles: v, width: v, height: 5, '@id': 'x' })),
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify({ Image: { Size: v, TileSize: v, Format: 'jpg' } })),
    fc.tuple(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 })).map(([w, t]) => `<IMAGE_PROPERTIES WIDTH="${w}" HEIGHT="7" TILESIZE="${t}"/>`),
    fc.tuple(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 })).map(([w, f]) => `<Image TileSize="254" Overlap="1" Format="${f}"><Size Width="${w}" Height="3"/></Image>`),
  );

  it('garbage in: a typed BAD_DESCRIPTOR error or a valid pyramid, never a crash', () => {
    fc.assert(
      fc.property(garbage, (text) => {
        try {
          const { pyramid } = parseDescriptor('x/info.json', text, { tileSize: 256, format: 'jpg' });
          expect(pyramid.width).toBeGreaterThan(0);
          expect(pyramid.maxLevel).toBeGreaterThanOrEqual(pyramid.minLevel);
        } catch (error) {
          expect(error).toBeInstanceOf(TileError);
          expect((error as TileError).code).toBe('BAD_DESCRIPTOR');
          expect((error as TileError).message).toContain('x/info.json');
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('an object with @context is IIIF, one without is the own schema', () => {
    const own = parseDescriptor('s/info.json', JSON.stringify({ width: 10, height: 10, tileSize: 256, overlap: 0, minLevel: 0, maxLevel: 0, format: 'jpg', version: 'v1' }));
    expect(own.kind).toBe('own');
    expect(own.version).toBe('v1');
    const iiif = parseDescriptor('s/info.json', JSON.stringify({ '@context': 'http://iiif.io/api/image/2/context.json', '@id': 'http://x/s', width: 10, height: 10, tiles: [{ width: 256, scaleFactors: [1] }] }));
    expect(iiif.kind).toBe('iiif');
    expect(iiif.pyramid.iiifVersion).toBe(2);
    expect(() => parseDescriptor('s/info.json', JSON.stringify({ '@context': 'http://example.com/other', width: 10 }))).toThrow(/names no IIIF/);
  });

  it('reads the DZI JSON form like the XML one', () => {
    const json = parseDescriptor('s.dzi', JSON.stringify({ Image: { xmlns: 'http://schemas.microsoft.com/deepzoom/2008', Format: 'png', Overlap: '1', TileSize: '254', Size: { Width: '1000', Height: '700' } } }));
    const xml = parseDescriptor('s.dzi', '<?xml version="1.0"?><Image xmlns="http://schemas.microsoft.com/deepzoom/2008" Format="png" Overlap="1" TileSize="254"><Size Width="1000" Height="700"/></Image>');
    expect(json.pyramid).toEqual(xml.pyramid);
    expect(xml.pyramid).toMatchObject({ layout: 'dzi', maxLevel: 10, minLevel: 0, overlap: 1, tileSize: 254, format: 'png' });
  });
});

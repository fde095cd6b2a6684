import { describe, expect, it } from 'vitest';
import { TileError } from './errors.ts';
import { cacheKey, formatTileCoord, isValidDatasetName, objectKey, parseTileKey } from './tile-key.ts';
import { matchTilePath } from './dataset-path.ts';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof TileError ? error.code : 'not a TileError';
  }
  return undefined;
}

describe('tile keys', () => {
  it('parses and formats a tile key', () => {
    const key = parseTileKey('sample', '3/2/1.JPG');
    expect(key).toEqual({ dataset: 'sample', z: 3, x: 2, y: 1, ext: 'jpg' });
    expect(formatTileCoord(key)).toBe('3/2/1.jpg');
    expect(objectKey(key)).toBe('sample/3/2/1.jpg');
    expect(cacheKey('sample', 'v1', key)).toBe('sample@v1/3/2/1');
  });

  it.each(['', '..', 'a..b', 'a/b', 'x'.repeat(129), 'sp ace', '%2e%2e'])('rejects dataset name %j', (name) => {
    expect(isValidDatasetName(name)).toBe(false);
    expect(codeOf(() => parseTileKey(name, '0/0/0.jpg'))).toBe('BAD_TILE_KEY');
  });

  it.each(['-1/0/0.jpg', '1.5/0/0.jpg', '01/0/0.jpg', '0/0/0.gif', '0/0/0', '0/0/0.jpg/x', 'a/0/0.jpg', '0/0/1e3.jpg', '9999999999/0/0.jpg'])(
    'rejects tile %j',
    (coord) => {
      expect(codeOf(() => parseTileKey('sample', coord))).toBe('BAD_TILE_KEY');
    },
  );

  it('matches tile URLs and ignores other paths', () => {
    expect(matchTilePath('/api/tiles/mixed/6/10/3.webp')).toEqual({ dataset: 'mixed', z: 6, x: 10, y: 3, ext: 'webp' });
    expect(matchTilePath('/api/tiles/mixed/info')).toBeNull();
    expect(matchTilePath('/api/tiles/mixed/batch')).toBeNull();
    expect(matchTilePath('/api/tiles/../6/1/1.jpg')).toBeNull();
    expect(matchTilePath('/other/mixed/6/1/1.jpg')).toBeNull();
  });

  it('matches nested dataset names, plain or encoded, as the companion serves them', () => {
    const tile = { dataset: 'collections/case-1', z: 3, x: 1, y: 2, ext: 'jpg' };
    expect(matchTilePath('/api/tiles/collections/case-1/3/1/2.jpg')).toEqual(tile);
    expect(matchTilePath('/api/tiles/collections%2Fcase-1/3/1/2.jpg')).toEqual(tile);
    expect(matchTilePath('/api/tiles/collections/../3/1/2.jpg')).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { parseDatasetInfo } from './dataset-info.ts';
import { drawnLevel, rangeSize, tileRangeFor, tileTouches } from './tile-range.ts';

const info = parseDatasetInfo({ width: 8192, height: 8192, tileSize: 256, overlap: 0, minLevel: 0, maxLevel: 5, format: 'jpg', version: 'v' }, 'd');

describe('tile ranges', () => {
  it('maps an image rectangle to the tiles it touches at each level', () => {
    const rect = { x: 256, y: 0, width: 500, height: 300 };
    expect(tileRangeFor(info, rect, 5)).toEqual({ z: 5, minX: 1, minY: 0, maxX: 2, maxY: 1 });
    // Level 4 tiles cover 512 image pixels.
    expect(tileRangeFor(info, rect, 4)).toEqual({ z: 4, minX: 0, minY: 0, maxX: 1, maxY: 0 });
    // An edge on a tile border touches the next tile, as in OpenSeadragon.
    expect(tileRangeFor(info, { x: 0, y: 0, width: 512, height: 256 }, 5)).toEqual({ z: 5, minX: 0, minY: 0, maxX: 2, maxY: 1 });
  });

  it('clamps to the image and returns null for a rectangle beside it', () => {
    expect(tileRangeFor(info, { x: -1000, y: -1000, width: 99_999, height: 99_999 }, 5)).toEqual({ z: 5, minX: 0, minY: 0, maxX: 31, maxY: 31 });
    expect(tileRangeFor(info, { x: 9000, y: 0, width: 100, height: 100 }, 5)).toBeNull();
    expect(rangeSize({ z: 5, minX: 0, minY: 0, maxX: 31, maxY: 31 })).toBe(1024);
  });

  it('finds the level OpenSeadragon draws', () => {
    expect(drawnLevel(info, 1)).toBe(5);
    expect(drawnLevel(info, 0.5)).toBe(5); // half a device pixel per image pixel still draws full resolution
    expect(drawnLevel(info, 0.4)).toBe(4);
    expect(drawnLevel(info, 0.25)).toBe(4);
    expect(drawnLevel(info, 1 / 1000)).toBe(0);
  });

  it('tells whether a tile of any level touches a view', () => {
    const rect = { x: 0, y: 0, width: 200, height: 200 };
    expect(tileTouches(info, rect, { z: 5, x: 0, y: 0 })).toBe(true);
    expect(tileTouches(info, rect, { z: 5, x: 1, y: 0 })).toBe(false);
    expect(tileTouches(info, rect, { z: 0, x: 0, y: 0 })).toBe(true);
  });
});

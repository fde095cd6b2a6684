import { describe, expect, it } from 'vitest';
import { isTileInBounds, levelTiles, parseDatasetInfo } from './dataset-info.ts';

const info = parseDatasetInfo(
  { width: 1000, height: 700, tileSize: 256, overlap: 0, minLevel: 0, maxLevel: 2, format: 'jpg', version: 'v1' },
  'd',
);

describe('dataset info', () => {
  it('computes tiles per level like OpenSeadragon', () => {
    expect(levelTiles(info, 2)).toEqual({ columns: 4, rows: 3 });
    expect(levelTiles(info, 1)).toEqual({ columns: 2, rows: 2 });
    expect(levelTiles(info, 0)).toEqual({ columns: 1, rows: 1 });
  });

  it('knows which tiles exist', () => {
    expect(isTileInBounds(info, { z: 2, x: 3, y: 2 })).toBe(true);
    expect(isTileInBounds(info, { z: 2, x: 4, y: 0 })).toBe(false);
    expect(isTileInBounds(info, { z: 3, x: 0, y: 0 })).toBe(false);
  });

  it('rejects malformed info with a message naming the field', () => {
    expect(() => parseDatasetInfo({ ...info, width: -1 }, 'd')).toThrow(/"width"/);
    expect(() => parseDatasetInfo({ ...info, format: 'gif' }, 'd')).toThrow(/"format"/);
    expect(() => parseDatasetInfo('nope', 'd')).toThrow(/not a JSON object/);
  });
});

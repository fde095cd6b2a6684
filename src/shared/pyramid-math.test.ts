import { describe, expect, it } from 'vitest';
import { levelGrid, levelSize, maxLevelFor, tileCount, tileExists } from './pyramid-math.ts';

describe('maxLevelFor', () => {
  it('gives 6 for the 16384 sample with 256 px tiles', () => {
    expect(maxLevelFor(16384, 16384, 256)).toBe(6);
  });
  it('does not round exact powers of two up', () => {
    expect(maxLevelFor(512, 512, 256)).toBe(1);
    expect(maxLevelFor(513, 10, 256)).toBe(2);
  });
  it('is 0 when the image already fits one tile', () => {
    expect(maxLevelFor(256, 256, 256)).toBe(0);
    expect(maxLevelFor(1, 1, 256)).toBe(0);
  });
  it('uses the longer side', () => {
    expect(maxLevelFor(1000, 700, 256)).toBe(2);
    expect(maxLevelFor(300, 5000, 256)).toBe(5);
  });
  it('rejects non-positive or fractional sizes', () => {
    expect(() => maxLevelFor(0, 10, 256)).toThrow(RangeError);
    expect(() => maxLevelFor(10, 10.5, 256)).toThrow(RangeError);
    expect(() => maxLevelFor(10, 10, 0)).toThrow(RangeError);
  });
});

describe('levelSize', () => {
  it('halves with rounding up, like OpenSeadragon', () => {
    expect(levelSize(1000, 700, 256, 2)).toEqual({ width: 1000, height: 700 });
    expect(levelSize(1000, 700, 256, 1)).toEqual({ width: 500, height: 350 });
    expect(levelSize(1000, 700, 256, 0)).toEqual({ width: 250, height: 175 });
    expect(levelSize(1001, 3, 256, 0)).toEqual({ width: 251, height: 1 });
  });
  it('rejects levels outside the pyramid', () => {
    expect(() => levelSize(1000, 700, 256, 3)).toThrow(RangeError);
    expect(() => levelSize(1000, 700, 256, -1)).toThrow(RangeError);
  });
});

describe('levelGrid and tileCount', () => {
  it('counts the sample pyramid: 1 + 4 + ... + 4096', () => {
    expect(levelGrid(16384, 16384, 256, 6)).toEqual({ columns: 64, rows: 64 });
    expect(tileCount(16384, 16384, 256)).toBe(5461);
  });
  it('counts partial edge tiles', () => {
    expect(levelGrid(1000, 700, 256, 2)).toEqual({ columns: 4, rows: 3 });
    expect(levelGrid(1000, 700, 256, 1)).toEqual({ columns: 2, rows: 2 });
    expect(tileCount(1000, 700, 256)).toBe(1 + 4 + 12);
  });
});

describe('tileExists', () => {
  it('accepts tiles inside the grid and refuses the rest', () => {
    expect(tileExists(1000, 700, 256, 2, 3, 2)).toBe(true);
    expect(tileExists(1000, 700, 256, 2, 4, 2)).toBe(false);
    expect(tileExists(1000, 700, 256, 2, 3, 3)).toBe(false);
    expect(tileExists(1000, 700, 256, 3, 0, 0)).toBe(false);
    expect(tileExists(1000, 700, 256, 0, -1, 0)).toBe(false);
  });
});

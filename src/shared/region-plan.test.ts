import { describe, expect, it } from 'vitest';
import type { Pyramid } from './layouts/index.ts';
import { estimateRegion, planRegion, tileAt, tilesBetween, ASSUMED_BYTES_PER_PIXEL } from './region-plan.ts';
import { tileRangeFor } from './tile-range.ts';
import { parseDatasetInfo } from './dataset-info.ts';

// The `sample` dataset's geometry: 16384 px square, 256 px tiles, levels 0-6.
const sample: Pyramid = { layout: 'own', width: 16384, height: 16384, tileSize: 256, overlap: 0, minLevel: 0, maxLevel: 6, format: 'jpg', rounding: 'ceil' };
const rect = { x: 2048, y: 2048, width: 8192, height: 8192 };

describe('region plan', () => {
  const plan = planRegion(sample, { rect, minLevel: 3, maxLevel: 5 });

  it('holds the levels asked for plus the coarser levels over the same rectangle, edges inclusive', () => {
    expect(plan.ranges.map((r) => [r.level, r.cover])).toEqual([[0, true], [1, true], [2, true], [3, false], [4, false], [5, false]]);
    // level 5: 512 image px per tile, 2048..10240 -> columns 4..20 (the right edge on a border loads the tile beyond it)
    expect(plan.ranges[5]).toMatchObject({ minX: 4, maxX: 20, minY: 4, maxY: 20 });
    expect(plan.tiles).toBe(1 + 4 + 9 + 25 + 81 + 289);
  });

  it('names the same tiles as the viewer-side range math for every level', () => {
    const info = parseDatasetInfo({ ...sample, version: 'v' }, 'sample');
    for (const r of plan.ranges) {
      const viewer = tileRangeFor(info, rect, r.level)!;
      expect([r.minX, r.minY, r.maxX, r.maxY]).toEqual([viewer.minX, viewer.minY, viewer.maxX, viewer.maxY]);
    }
  });

  it('enumerates each tile once, coarse to fine, and tileAt agrees with the enumeration', () => {
    const all = tilesBetween(plan, 0, plan.tiles);
    expect(all).toHaveLength(plan.tiles);
    expect(new Set(all.map((t) => `${t.level}/${t.x}/${t.y}`)).size).toBe(plan.tiles);
    expect(all.map((t) => t.level)).toEqual([...all.map((t) => t.level)].sort((a, b) => a - b));
    expect(tileAt(plan, 0)).toEqual({ level: 0, x: 0, y: 0 });
    expect(tileAt(plan, plan.tiles - 1)).toEqual({ level: 5, x: 20, y: 20 });
    expect(tileAt(plan, plan.tiles)).toBeUndefined();
    expect(tilesBetween(plan, 10, 14)).toEqual(all.slice(10, 14));
  });

  it('covers the whole image up to a level when no rectangle is given', () => {
    const whole = planRegion(sample, { rect: null, minLevel: 0, maxLevel: 3 });
    expect(whole.tiles).toBe(1 + 4 + 16 + 64);
  });

  it('follows Zoomify floor rounding at coarse levels', () => {
    const zoomify: Pyramid = { ...sample, layout: 'zoomify', width: 1000, height: 600, maxLevel: 2, rounding: 'floor' };
    const whole = planRegion(zoomify, { rect: null, minLevel: 0, maxLevel: 2 });
    // level 2: 1000x600 -> 4x3; level 1: 500x300 -> 2x2; level 0: 250x150 -> 1
    expect(whole.ranges.map((r) => [r.level, r.maxX + 1, r.maxY + 1])).toEqual([[0, 1, 1], [1, 2, 2], [2, 4, 3]]);
  });

  it('refuses levels outside the pyramid, empty rectangles and oversized regions with typed errors', () => {
    expect(() => planRegion(sample, { rect, minLevel: 5, maxLevel: 7 })).toThrow(/inside the pyramid's 0-6/);
    expect(() => planRegion(sample, { rect: { ...rect, width: 0 }, minLevel: 1, maxLevel: 2 })).toThrow(/positive width/);
    expect(() => planRegion(sample, { rect: null, minLevel: 0, maxLevel: 6 }, 1000)).toThrow(expect.objectContaining({ code: 'TOO_MANY_TILES' }));
  });
});

describe('region estimate', () => {
  const plan = planRegion(sample, { rect, minLevel: 3, maxLevel: 5 });

  it('multiplies each level by the mean stored bytes of its tiles already seen', () => {
    const samples = new Map(plan.ranges.map((r) => [r.level, { tiles: 2, bytes: 2 * 1000 * (r.level + 1) }]));
    const estimate = estimateRegion(plan, 256, samples);
    expect(estimate.basis).toBe('measured');
    expect(estimate.bytes).toBe(plan.ranges.reduce((sum, r) => sum + (r.maxX - r.minX + 1) * (r.maxY - r.minY + 1) * 1000 * (r.level + 1), 0));
  });

  it('borrows the nearest measured level, and assumes bytes per pixel when nothing was seen', () => {
    const some = estimateRegion(plan, 256, new Map([[2, { tiles: 4, bytes: 40_000 }]]));
    expect(some.levels.find((l) => l.level === 5)).toMatchObject({ meanTileBytes: 10_000, basis: 'nearest' });
    expect(some.levels.find((l) => l.level === 2)).toMatchObject({ basis: 'measured' });
    expect(some.basis).toBe('nearest');
    const none = estimateRegion(plan, 256, new Map());
    expect(none.basis).toBe('assumed');
    expect(none.bytes).toBe(plan.tiles * Math.round(256 * 256 * ASSUMED_BYTES_PER_PIXEL));
  });
});

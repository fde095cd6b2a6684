import { describe, expect, it } from 'vitest';
import { parseDatasetInfo } from './dataset-info.ts';
import { DEFAULT_PREFETCH_OPTIONS, planPrefetch, resolvePrefetchOptions } from './prefetch-plan.ts';
import { rangeContains, tileRangeFor } from './tile-range.ts';

const info = parseDatasetInfo({ width: 8192, height: 8192, tileSize: 256, overlap: 0, minLevel: 0, maxLevel: 5, format: 'jpg', version: 'v' }, 'd');
// A 1250x750 view at level 4 (1 screen px = 2 image px), inside the image.
const rect = { x: 2048, y: 2048, width: 2500, height: 1500 };
const input = { info, rect, level: 4 };

describe('prefetch plan', () => {
  const plan = planPrefetch(input, DEFAULT_PREFETCH_OPTIONS);
  const visible = tileRangeFor(info, rect, 4)!;

  it('names the ring first, then the next level in, then the next level out, never a visible tile', () => {
    const reasons = plan.map((t) => t.reason);
    expect(reasons.indexOf('in')).toBeGreaterThan(reasons.lastIndexOf('ring'));
    expect(reasons.indexOf('out')).toBeGreaterThan(reasons.lastIndexOf('in'));
    expect(plan.filter((t) => t.reason === 'ring')).toHaveLength(7 * 5 - 5 * 3);
    expect(plan.some((t) => rangeContains(visible, t))).toBe(false);
    expect(new Set(plan.map((t) => `${t.z}/${t.x}/${t.y}`)).size).toBe(plan.length);
  });

  it('covers a pan by one tile and a zoom in by two about the centre', () => {
    const ids = new Set(plan.map((t) => `${t.z}/${t.x}/${t.y}`));
    const panned = tileRangeFor(info, { ...rect, x: rect.x + 512 }, 4)!;
    const zoomed = tileRangeFor(info, { x: rect.x + 625, y: rect.y + 375, width: 1250, height: 750 }, 5)!;
    for (const range of [panned, zoomed]) {
      for (let x = range.minX; x <= range.maxX; x += 1) {
        for (let y = range.minY; y <= range.maxY; y += 1) {
          if (!rangeContains(visible, { z: range.z, x, y })) expect(ids.has(`${range.z}/${x}/${y}`)).toBe(true);
        }
      }
    }
  });

  it('stays within its tile and byte budgets, keeping the tiles nearest the view', () => {
    expect(planPrefetch(input, { ...DEFAULT_PREFETCH_OPTIONS, maxTiles: 5 })).toEqual(plan.slice(0, 5));
    expect(planPrefetch(input, { ...DEFAULT_PREFETCH_OPTIONS, maxBytes: 10_000 * 3, estimatedTileBytes: 10_000 })).toHaveLength(3);
    expect(planPrefetch({ ...input, meanTileBytes: 1_000_000 }, DEFAULT_PREFETCH_OPTIONS)).toHaveLength(16);
  });

  it('does nothing when turned off, and checks its options', () => {
    expect(planPrefetch(input, resolvePrefetchOptions(false))).toEqual([]);
    expect(resolvePrefetchOptions({ maxTiles: 3 }).maxTiles).toBe(3);
    expect(() => resolvePrefetchOptions({ ringWidth: -1 })).toThrow(/ringWidth/);
  });

  it('does not plan beyond the levels the dataset has', () => {
    const top = planPrefetch({ info, rect: { x: 0, y: 0, width: 8192, height: 8192 }, level: 5 }, DEFAULT_PREFETCH_OPTIONS);
    expect(top.every((t) => t.z <= 5 && t.z >= 0)).toBe(true);
    expect(top.some((t) => t.reason === 'in')).toBe(false);
  });
});

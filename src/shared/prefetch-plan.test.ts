import { describe, expect, it } from 'vitest';
import { parseDatasetInfo } from './dataset-info.ts';
import { DEFAULT_PREFETCH_OPTIONS, planPrefetch, resolvePrefetchOptions, viewTileCount } from './prefetch-plan.ts';
import { rangeContains, rangeSize, scaleRect, tileRangeFor, type TileRange } from './tile-range.ts';

const ids = (range: TileRange) => {
  const out: string[] = [];
  for (let x = range.minX; x <= range.maxX; x += 1) for (let y = range.minY; y <= range.maxY; y += 1) out.push(`${range.z}/${x}/${y}`);
  return out;
};

const info = parseDatasetInfo({ width: 8192, height: 8192, tileSize: 256, overlap: 0, minLevel: 0, maxLevel: 5, format: 'jpg', version: 'v' }, 'd');
// A 1250x750 view at level 4 (1 screen px = 2 image px), inside the image.
const rect = { x: 2048, y: 2048, width: 2500, height: 1500 };
const input = { info, rect, level: 4 };

describe('prefetch plan', () => {
  const plan = planPrefetch(input, DEFAULT_PREFETCH_OPTIONS);
  const unbounded = planPrefetch(input, { ...DEFAULT_PREFETCH_OPTIONS, viewMultiple: 0 });
  const visible = tileRangeFor(info, rect, 4)!;

  it('names the zoom-in view first, then the ring, then the zoom-in margin, then the next level out, never a visible tile', () => {
    const reasons = unbounded.map((t) => t.reason);
    const zoomIn = tileRangeFor(info, scaleRect(rect, 0.5), 5)!;
    expect(unbounded.slice(0, rangeSize(zoomIn)).map((t) => `${t.z}/${t.x}/${t.y}`).sort()).toEqual(ids(zoomIn).sort());
    expect(reasons.indexOf('ring')).toBe(rangeSize(zoomIn));
    expect(reasons.indexOf('in', rangeSize(zoomIn))).toBeGreaterThan(reasons.lastIndexOf('ring'));
    expect(reasons.indexOf('out')).toBeGreaterThan(reasons.lastIndexOf('in'));
    expect(unbounded.filter((t) => t.reason === 'ring')).toHaveLength(7 * 5 - 5 * 3);
    expect(unbounded.some((t) => rangeContains(visible, t))).toBe(false);
    expect(new Set(unbounded.map((t) => `${t.z}/${t.x}/${t.y}`)).size).toBe(unbounded.length);
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
    expect(planPrefetch(input, { ...DEFAULT_PREFETCH_OPTIONS, viewMultiple: 1 })).toEqual(plan.slice(0, viewTileCount(info, rect, 4)));
    expect(planPrefetch(input, { ...DEFAULT_PREFETCH_OPTIONS, maxBytes: 10_000 * 3, estimatedTileBytes: 10_000 })).toHaveLength(3);
    expect(planPrefetch({ ...input, meanTileBytes: 1_000_000 }, DEFAULT_PREFETCH_OPTIONS)).toHaveLength(16);
  });

  it('costs at most twice the view\'s own tiles by default, and still covers the zoom-in by 2 (issue 13)', () => {
    // The bench's home view: the 16384² sample in a 1280x800 viewer, the whole
    // image visible at level 2 (16 tiles, 21 with the coarser levels).
    const sample = parseDatasetInfo({ width: 16384, height: 16384, tileSize: 256, overlap: 0, minLevel: 0, maxLevel: 6, format: 'jpg', version: 'v' }, 's');
    const home = { x: -4915, y: 0, width: 26214, height: 16384 };
    const own = viewTileCount(sample, home, 2);
    expect(own).toBe(1 + 4 + 16);
    const homePlan = planPrefetch({ info: sample, rect: home, level: 2 }, DEFAULT_PREFETCH_OPTIONS);
    expect(homePlan.length).toBeLessThanOrEqual(2 * own);
    const planned = new Set(homePlan.map((t) => `${t.z}/${t.x}/${t.y}`));
    const zoomIn = tileRangeFor(sample, scaleRect(home, 0.5), 3)!;
    expect(rangeSize(zoomIn)).toBe(40); // the bench's cold 2x zoom loads 40 tiles
    expect(ids(zoomIn).filter((id) => !planned.has(id))).toEqual([]);
    // Deeper views: the budget holds there too (a view's own tiles include the coarser levels).
    expect(plan.length).toBeLessThanOrEqual(2 * viewTileCount(info, rect, 4));
    expect(planPrefetch({ info: sample, rect: home, level: 2 }, { ...DEFAULT_PREFETCH_OPTIONS, viewMultiple: 0 }).length).toBeGreaterThan(2 * own);
  });

  it('does nothing when turned off, and checks its options', () => {
    expect(planPrefetch(input, resolvePrefetchOptions(false))).toEqual([]);
    expect(resolvePrefetchOptions({ maxTiles: 3 }).maxTiles).toBe(3);
    expect(() => resolvePrefetchOptions({ ringWidth: -1 })).toThrow(/ringWidth/);
    expect(() => resolvePrefetchOptions({ viewMultiple: 1.5 })).toThrow(/viewMultiple/);
  });

  it('does not plan beyond the levels the dataset has', () => {
    const top = planPrefetch({ info, rect: { x: 0, y: 0, width: 8192, height: 8192 }, level: 5 }, DEFAULT_PREFETCH_OPTIONS);
    expect(top.every((t) => t.z <= 5 && t.z >= 0)).toBe(true);
    expect(top.some((t) => t.reason === 'in')).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { tileName } from './batch-hooks.ts';
import type { OsdImageJob } from './osd-internals.ts';
import { resolvePageBatchingOptions } from './page-batching.ts';

const job = (src: string, level = 3, x = 2, y = 1) => ({ src, tile: { level, x, y, loading: true } }) as unknown as OsdImageJob;

describe('resolvePageBatchingOptions', () => {
  it('defaults to batches of up to 100 tiles, 5 ms, bitmap decoding and every workaround on', () => {
    const o = resolvePageBatchingOptions();
    expect(o).toMatchObject({ maxTiles: 100, waitMs: 5, decode: 'bitmap', apiPrefix: '/api/tiles/' });
    expect(o.workarounds).toEqual({ timeoutAbort: true, clearStaged: true, retriedChild: true, drainQueue: true });
  });
  it('turns single workarounds off and refuses options out of range with what to fix', () => {
    expect(resolvePageBatchingOptions({ workarounds: { drainQueue: false } }).workarounds.drainQueue).toBe(false);
    expect(() => resolvePageBatchingOptions({ maxTiles: 101 })).toThrow(/1 to 100/);
    expect(() => resolvePageBatchingOptions({ waitMs: -1 })).toThrow(/0\.\.1000/);
    expect(() => resolvePageBatchingOptions({ decode: 'png' as 'blob' })).toThrow(/bitmap.*blob/);
  });
});

describe('tileName', () => {
  it("is OSD's level/x/y with the tile URL's extension, lower-cased, query ignored", () => {
    expect(tileName(job('/api/tiles/sample/3/2/1.jpg'))).toBe('3/2/1.jpg');
    expect(tileName(job('https://cdn.example/t/9/8/7.PNG?v=2', 9, 8, 7))).toBe('9/8/7.png');
  });
});

import { describe, expect, it } from 'vitest';
import { formatBytes, intervalHitRate, sparklinePoints } from './stats-overlay.ts';

const stats = (memory: number, idb: number, batch: number, network: number) => ({
  hits: { memory, idb, batch, network },
  batches: 0,
  meanBatchSize: 0,
  bytesSaved: 0,
  fallbacks: 0,
});

describe('stats overlay', () => {
  it('rates hits per interval, not since the worker started', () => {
    expect(intervalHitRate(null, stats(1, 1, 2, 0))).toBe(0.5);
    expect(intervalHitRate(stats(1, 1, 2, 0), stats(11, 1, 2, 0))).toBe(1);
    expect(intervalHitRate(stats(1, 1, 2, 0), stats(1, 1, 2, 0))).toBeNull();
  });

  it('draws the newest point on the right edge', () => {
    expect(sparklinePoints([0, 1], 100, 10, 3)).toBe('50.0,10.0 100.0,0.0');
  });

  it('formats bytes', () => {
    expect([formatBytes(10), formatBytes(2048), formatBytes(3 * 1024 * 1024)]).toEqual(['10 B', '2.0 KiB', '3.0 MiB']);
  });
});

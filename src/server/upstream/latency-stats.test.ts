import { describe, expect, it } from 'vitest';
import { LatencyStats } from './latency-stats.ts';

describe('LatencyStats', () => {
  it('reports nearest-rank percentiles of the latest samples only', () => {
    const stats = new LatencyStats(100);
    expect(stats.percentile(0.95)).toBeNull();
    for (let ms = 1; ms <= 100; ms += 1) stats.record(ms);
    expect(stats.summary()).toEqual({ samples: 100, p50: 50, p95: 95, p99: 99 });
    for (let i = 0; i < 100; i += 1) stats.record(1000); // the ring forgets the old minute
    expect(stats.percentile(0.5)).toBe(1000);
    expect(stats.samples).toBe(100);
  });
});

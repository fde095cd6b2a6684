import { describe, expect, it } from 'vitest';
import { LatencySample } from './latency-sample.ts';

describe('LatencySample', () => {
  it('gives nearest-rank percentiles', () => {
    const sample = new LatencySample();
    for (let ms = 100; ms >= 1; ms -= 1) sample.add(ms);
    expect(sample.percentiles()).toEqual({ count: 100, p50: 50, p90: 90, p99: 99 });
  });

  it('keeps only the last `capacity` samples', () => {
    const sample = new LatencySample(10);
    for (let i = 0; i < 10; i += 1) sample.add(1000);
    for (let i = 0; i < 10; i += 1) sample.add(1);
    expect(sample.percentiles()).toEqual({ count: 10, p50: 1, p90: 1, p99: 1 });
    sample.clear();
    expect(sample.percentiles().count).toBe(0);
  });
});

describe('LatencySample.percentile', () => {
  it('answers null when empty and nearest-rank quantiles otherwise', () => {
    const sample = new LatencySample(4);
    expect(sample.percentile(0.95)).toBeNull();
    for (const ms of [40, 10, 30, 20, 1000]) sample.add(ms); // 40 falls out of the ring
    expect(sample.count).toBe(4);
    expect(sample.percentile(0.5)).toBe(20);
    expect(sample.percentile(0.95)).toBe(1000);
  });
});

import { describe, expect, it } from 'vitest';
import { DEFAULT_LATENCY, latencyFor, type LatencyOptions } from './latency.ts';

const spiky: LatencyOptions = { ...DEFAULT_LATENCY, shape: 'spiky' };
const keys = Array.from({ length: 4000 }, (_, i) => `sample/6/${i % 64}/${Math.floor(i / 64)}.jpg`);

describe('latencyFor', () => {
  it('waits exactly baseMs in the fixed shape', () => {
    expect(new Set(keys.map((k) => latencyFor(DEFAULT_LATENCY, 0, k, 0)))).toEqual(new Set([100]));
  });

  it('is a pure function of seed, run, key and attempt', () => {
    const a = keys.map((k) => latencyFor(spiky, 3, k, 0));
    expect(keys.map((k) => latencyFor(spiky, 3, k, 0))).toEqual(a);
    expect(keys.map((k) => latencyFor(spiky, 4, k, 0))).not.toEqual(a);
    expect(keys.map((k) => latencyFor({ ...spiky, seed: 9 }, 3, k, 0))).not.toEqual(a);
    expect(keys.map((k) => latencyFor(spiky, 3, k, 1))).not.toEqual(a);
  });

  it('jitters within ±jitter of baseMs and spikes 1-2 s about spikeProbability of the time', () => {
    const delays = keys.map((k) => latencyFor(spiky, 1, k, 0));
    const spikes = delays.filter((d) => d >= spiky.spikeMinMs);
    for (const d of spikes) expect(d).toBeLessThanOrEqual(spiky.spikeMaxMs);
    for (const d of delays.filter((x) => x < spiky.spikeMinMs)) {
      expect(d).toBeGreaterThanOrEqual(70);
      expect(d).toBeLessThanOrEqual(130);
    }
    // 3% of 4000 = 120; a fair hash lands well inside 60-180.
    expect(spikes.length).toBeGreaterThan(60);
    expect(spikes.length).toBeLessThan(180);
    expect(new Set(delays).size).toBeGreaterThan(30);
  });
});

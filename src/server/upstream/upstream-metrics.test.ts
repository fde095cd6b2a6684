import { describe, expect, it } from 'vitest';
import { UpstreamMetrics } from './upstream-metrics.ts';

describe('UpstreamMetrics', () => {
  it('counts GETs by outcome per dataset and overall, with their Class B cost', () => {
    const metrics = new UpstreamMetrics();
    metrics.request('a', 'ok', 100);
    metrics.request('a', 'notFound', 50);
    metrics.request('b', 'timeout', 5000);
    metrics.count('a', 'retries');
    expect(metrics.dataset('a')).toMatchObject({ requests: 2, retries: 1, outcomes: { ok: 1, notFound: 1 }, classBOperations: 2 });
    expect(metrics.dataset('a').latencyMs.samples).toBe(2);
    // A timeout's duration says nothing about the upstream's answer time: it stays out of p95.
    expect(metrics.overall()).toMatchObject({ requests: 3, outcomes: { timeout: 1 }, latencyMs: { samples: 2 } });
    expect(metrics.overall().estimatedCostUsd).toBeCloseTo(3 * 0.36e-6, 15);
  });

  it('keeps at most 1000 dataset rows; the rest share one', () => {
    const metrics = new UpstreamMetrics();
    for (let i = 0; i < 1005; i += 1) metrics.request(`d${i}`, 'ok', 1);
    expect(metrics.dataset('d999').requests).toBe(1);
    expect(metrics.dataset('d1004').requests).toBe(0);
    expect(metrics.dataset('(other datasets)').requests).toBe(5);
    expect(metrics.overall().requests).toBe(1005);
  });
});

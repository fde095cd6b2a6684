import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './circuit-breaker.ts';

describe('CircuitBreaker', () => {
  it('opens after the threshold of failures in a row, refuses until the cooldown, then lets one probe through', () => {
    let now = 0;
    const breaker = new CircuitBreaker({ failureThreshold: 3, cooldownMs: 1000, now: () => now });
    for (let i = 0; i < 2; i += 1) {
      expect(breaker.allow()).toBe(true);
      breaker.record('failure');
    }
    breaker.record('success'); // an answer resets the run
    for (let i = 0; i < 3; i += 1) breaker.record('failure');
    expect(breaker.report()).toMatchObject({ state: 'open', opens: 1, retryInMs: 1000 });
    expect(breaker.allow()).toBe(false);
    now = 999;
    expect(breaker.allow()).toBe(false);
    now = 1000;
    expect(breaker.allow()).toBe(true); // the probe
    expect(breaker.allow()).toBe(false); // only one at a time
    breaker.record('failure');
    expect(breaker.report()).toMatchObject({ state: 'open', opens: 2, rejected: 3 });
    now = 2000;
    expect(breaker.allow()).toBe(true);
    breaker.record('success');
    expect(breaker.report()).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
  });

  it('a probe the caller abandoned frees the probe slot without deciding', () => {
    let now = 0;
    const breaker = new CircuitBreaker({ failureThreshold: 1, cooldownMs: 10, now: () => now });
    breaker.record('failure');
    now = 10;
    expect(breaker.allow()).toBe(true);
    breaker.record('neutral');
    expect(breaker.state).toBe('half-open');
    expect(breaker.allow()).toBe(true);
  });

  it('never opens with a threshold of 0', () => {
    const breaker = new CircuitBreaker({ failureThreshold: 0, cooldownMs: 10 });
    for (let i = 0; i < 100; i += 1) breaker.record('failure');
    expect(breaker.allow()).toBe(true);
  });
});

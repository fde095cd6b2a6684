import { describe, expect, it } from 'vitest';
import { TileError } from '../../shared/errors.ts';
import { backoffMs, RetryableError, withRetry, type RetryOptions } from './retry.ts';

function options(extra: Partial<RetryOptions> = {}): RetryOptions & { slept: number[] } {
  const slept: number[] = [];
  return { retries: 2, baseDelayMs: 100, maxDelayMs: 250, random: () => 1, sleep: async (ms) => void slept.push(ms), slept, ...extra };
}

describe('withRetry', () => {
  it('retries retryable failures up to the bound, backing off exponentially under a ceiling', async () => {
    const o = options();
    let calls = 0;
    const failing = async () => {
      calls += 1;
      throw new RetryableError('UPSTREAM_ERROR', 'upstream said 503');
    };
    await expect(withRetry(failing, o)).rejects.toThrow('503');
    expect(calls).toBe(3);
    expect(o.slept).toEqual([100, 200]);
    expect(backoffMs(5, o)).toBe(250);
  });

  it('returns the first success, and jitters the delay with the injected randomness', async () => {
    const o = options({ random: () => 0.5 });
    let calls = 0;
    const flaky = async () => {
      calls += 1;
      if (calls < 2) throw new RetryableError('UPSTREAM_TIMEOUT', 'slow');
      return 'tile';
    };
    expect(await withRetry(flaky, o)).toBe('tile');
    expect(calls).toBe(2);
    expect(o.slept).toEqual([50]);
  });

  it('does not retry answers (a plain TileError such as a refused signature) or after abort', async () => {
    let calls = 0;
    const denied = async () => {
      calls += 1;
      throw new TileError('UPSTREAM_ERROR', '403');
    };
    await expect(withRetry(denied, options())).rejects.toThrow('403');
    expect(calls).toBe(1);

    const controller = new AbortController();
    controller.abort();
    calls = 0;
    const retryable = async () => {
      calls += 1;
      throw new RetryableError('UPSTREAM_ERROR', '500');
    };
    await expect(withRetry(retryable, options(), controller.signal)).rejects.toThrow('500');
    expect(calls).toBe(1);
  });
});

import { describe, expect, it } from 'vitest';
import { backoffDelay, withRetry } from './retry.ts';

const options = { attempts: 4, baseDelayMs: 100, maxDelayMs: 500 };
const noSleep = async (): Promise<void> => {};

describe('withRetry', () => {
  it('retries retryable failures up to the attempt limit, then rethrows the last error', async () => {
    let calls = 0;
    const promise = withRetry(options, { isRetryable: () => true, sleep: noSleep }, async () => {
      calls++;
      throw new Error(`failure ${calls}`);
    });
    await expect(promise).rejects.toThrow('failure 4');
    expect(calls).toBe(4);
  });

  it('returns as soon as a try succeeds', async () => {
    let calls = 0;
    const result = await withRetry(options, { isRetryable: () => true, sleep: noSleep }, async () => {
      calls++;
      if (calls < 3) throw new Error('flaky');
      return 'ok';
    });
    expect(result).toBe('ok');
    expect(calls).toBe(3);
  });

  it('does not retry errors the caller calls permanent', async () => {
    let calls = 0;
    await expect(
      withRetry(options, { isRetryable: () => false, sleep: noSleep }, async () => {
        calls++;
        throw new Error('403');
      }),
    ).rejects.toThrow('403');
    expect(calls).toBe(1);
  });

  it('waits the jittered backoff between tries', async () => {
    const waits: number[] = [];
    await withRetry(
      options,
      { isRetryable: () => true, random: () => 0.5, sleep: async (ms) => void waits.push(ms) },
      async () => {
        if (waits.length < 3) throw new Error('again');
      },
    );
    expect(waits).toEqual([50, 100, 200]);
  });
});

describe('backoffDelay', () => {
  it('doubles per attempt and is capped', () => {
    expect(backoffDelay(options, 0, () => 0.999)).toBe(99);
    expect(backoffDelay(options, 2, () => 0.999)).toBe(399);
    expect(backoffDelay(options, 10, () => 0.999)).toBe(499);
    expect(backoffDelay(options, 10, () => 0)).toBe(0);
  });
});

describe('withRetry: budget, asked-for waits, abort', () => {
  it('sleeps the longer of the backoff and the wait a failure asks for (429 Retry-After)', async () => {
    const waits: number[] = [];
    let calls = 0;
    await withRetry(
      options,
      { isRetryable: () => true, delayFor: () => 300, random: () => 0.5, sleep: async (ms) => void waits.push(ms) },
      async () => {
        calls++;
        if (calls < 2) throw new Error('429');
      },
    );
    expect(waits).toEqual([300]);
  });

  it('stops retrying when the budget says no', async () => {
    let calls = 0;
    let budget = 1;
    const promise = withRetry(options, { isRetryable: () => true, mayRetry: () => budget-- > 0, sleep: noSleep }, async () => {
      calls++;
      throw new Error(`failure ${calls}`);
    });
    await expect(promise).rejects.toThrow('failure 2');
    expect(calls).toBe(2);
  });

  it('does not retry once the caller has aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    let calls = 0;
    const promise = withRetry(options, { isRetryable: () => true, sleep: noSleep }, async () => {
      calls++;
      throw new Error('500');
    }, controller.signal);
    await expect(promise).rejects.toThrow('500');
    expect(calls).toBe(1);
  });
});

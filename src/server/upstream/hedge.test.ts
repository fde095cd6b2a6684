import { describe, expect, it } from 'vitest';
import { Hedger } from './hedge.ts';

/** An attempt that never answers until aborted, recording that it was aborted. */
function stalled(aborted: string[], name: string) {
  return (signal: AbortSignal) =>
    new Promise<string>((_, reject) => {
      signal.addEventListener('abort', () => {
        aborted.push(name);
        reject(signal.reason);
      });
    });
}

describe('Hedger', () => {
  it('starts a second attempt when the first runs past the delay; the hedge answers and the first is aborted', async () => {
    const hedger = new Hedger({ delayMs: () => 5, maxInFlight: 1 });
    const aborted: string[] = [];
    let calls = 0;
    const events = { hedges: 0, wins: 0 };
    const result = await hedger.run(
      (signal) => {
        calls += 1;
        return calls === 1 ? stalled(aborted, 'first')(signal) : Promise.resolve('from hedge');
      },
      undefined,
      { onHedge: () => (events.hedges += 1), onHedgeWin: () => (events.wins += 1) },
    );
    expect(result).toBe('from hedge');
    expect(calls).toBe(2);
    expect(events).toEqual({ hedges: 1, wins: 1 });
    expect(aborted).toEqual(['first']);
    expect(hedger.inFlight).toBe(0);
  });

  it('does not hedge without a delay (too few samples) or beyond its in-flight bound', async () => {
    let calls = 0;
    const quick = async () => {
      calls += 1;
      return 'ok';
    };
    expect(await new Hedger({ delayMs: () => null, maxInFlight: 5 }).run(quick)).toBe('ok');
    expect(calls).toBe(1);

    const bounded = new Hedger({ delayMs: () => 1, maxInFlight: 1 });
    const starts: number[] = [];
    const release: Array<() => void> = [];
    const attempt = () => {
      starts.push(starts.length);
      return new Promise<string>((resolve) => release.push(() => resolve('done')));
    };
    const both = [bounded.run(attempt), bounded.run(attempt)];
    // Wait (by count, not by clock) until the one allowed hedge has started.
    for (let i = 0; i < 200 && starts.length < 3; i += 1) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 20));
    expect(starts.length).toBe(3); // two originals + one hedge: the second hedge was refused
    release.forEach((r) => r());
    expect(await Promise.all(both)).toEqual(['done', 'done']);
  });

  it('waits for the other attempt when one fails, and fails only when both have', async () => {
    const hedger = new Hedger({ delayMs: () => 1, maxInFlight: 2 });
    let calls = 0;
    const result = await hedger.run(async () => {
      calls += 1;
      if (calls === 1) {
        await new Promise((r) => setTimeout(r, 30));
        throw new Error('first failed late');
      }
      return 'second';
    });
    expect(result).toBe('second');

    let n = 0;
    const bothFail = hedger.run(async () => {
      n += 1;
      await new Promise((r) => setTimeout(r, 10));
      throw new Error(`fail ${n}`);
    });
    await expect(bothFail).rejects.toThrow(/fail/);
  });
});

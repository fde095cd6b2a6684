import { describe, expect, it } from 'vitest';
import { BatchWindow, type WindowClock } from './batch-window.ts';

/** A hand-stepped clock: `advance(ms)` runs what falls due, in order. */
function manualClock(): WindowClock & { advance(ms: number): void } {
  let now = 0;
  let timers: Array<{ at: number; fn: () => void; live: boolean }> = [];
  return {
    now: () => now,
    schedule(fn, ms) {
      const timer = { at: now + ms, fn, live: true };
      timers.push(timer);
      return () => {
        timer.live = false;
      };
    },
    advance(ms) {
      const end = now + ms;
      for (let guard = 0; guard < 10_000; guard += 1) {
        const next = timers.filter((t) => t.live && t.at <= end).sort((a, b) => a.at - b.at)[0];
        if (!next) break;
        next.live = false;
        now = next.at;
        next.fn();
      }
      timers = timers.filter((t) => t.live);
      now = end;
    },
  };
}

describe('BatchWindow', () => {
  it('closes quietMs after the last arrival, so a burst becomes one window', () => {
    const clock = manualClock();
    let closed = 0;
    const window = new BatchWindow(() => (closed += 1), { quietMs: 2, maxWaitMs: 30 }, clock);
    for (let i = 1; i <= 10; i += 1) {
      window.arrive(i);
      clock.advance(1);
    }
    expect(closed).toBe(0);
    clock.advance(1);
    expect(closed).toBe(1);
    expect(window.open).toBe(false);
  });

  it('never stays open longer than maxWaitMs', () => {
    const clock = manualClock();
    let closed = 0;
    const window = new BatchWindow(() => (closed += 1), { quietMs: 5, maxWaitMs: 12 }, clock);
    for (let i = 1; i <= 20; i += 1) {
      window.arrive(i);
      clock.advance(1);
      if (closed) break;
    }
    expect(closed).toBe(1);
    expect(clock.now()).toBe(12);
  });

  it('closes at once when maxTiles are waiting', () => {
    const clock = manualClock();
    let closed = 0;
    const window = new BatchWindow(() => (closed += 1), { maxTiles: 3 }, clock);
    window.arrive(1);
    window.arrive(2);
    expect(closed).toBe(0);
    window.arrive(3);
    expect(closed).toBe(1);
    clock.advance(100);
    expect(closed).toBe(1);
  });

  it('with quietMs 0 closes on the next macrotask', () => {
    const clock = manualClock();
    let closed = 0;
    const window = new BatchWindow(() => (closed += 1), { quietMs: 0 }, clock);
    window.arrive(1);
    window.arrive(2);
    clock.advance(0);
    expect(closed).toBe(1);
    window.arrive(1);
    clock.advance(0);
    expect(closed).toBe(2);
  });
});

import { describe, expect, it } from 'vitest';
import { machineBusyTicks, otherCores, parsePidStat, treeTicks } from './other-cpu.ts';

describe('other-cpu', () => {
  it('counts busy ticks from /proc/stat, not idle or iowait', () => {
    expect(machineBusyTicks('cpu  100 5 50 9000 40 1 2 3 0 0\ncpu0 1 2 3\n')).toBe(100 + 5 + 50 + 1 + 2 + 3);
  });

  it('parses a /proc/PID/stat line whose command holds spaces and a parenthesis', () => {
    const line = '4242 (Chrome_ChildIO) x) S 4200 4242 4242 0 -1 4194560 1 0 0 0 70 30 5 1 20 0 9 0 100 1000 50';
    expect(parsePidStat(line)).toEqual({ pid: 4242, ppid: 4200, ticks: 70 + 30 + 5 + 1 });
  });

  it('sums a process and its descendants only', () => {
    const table = [
      { pid: 10, ppid: 1, ticks: 5 },
      { pid: 11, ppid: 10, ticks: 7 },
      { pid: 12, ppid: 11, ticks: 11 },
      { pid: 20, ppid: 1, ticks: 1000 },
    ];
    expect(treeTicks(table, 10)).toBe(23);
  });

  it('gives what others used, in cores, over the time between snapshots', () => {
    const before = { atMs: 0, machineTicks: 1_000, benchTicks: 400 };
    // 10 s: the machine was busy 1,500 ticks, the bench 1,300 of them: 200 ticks = 2 s of CPU = 0.2 cores.
    expect(otherCores(before, { atMs: 10_000, machineTicks: 2_500, benchTicks: 1_700 })).toBeCloseTo(0.2);
    expect(otherCores(before, { atMs: 10_000, machineTicks: 1_100, benchTicks: 600 })).toBe(0);
  });
});

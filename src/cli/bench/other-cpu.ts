/**
 * How much CPU processes outside the bench used during a run, in cores
 * (Linux /proc; undefined elsewhere). The 1-minute load average cannot tell:
 * the bench's own Chromium and companion keep it near 3.6 on 2 cores with
 * nothing else running (measured), so "load after > cores" flagged every run.
 * Busy time of the whole machine (/proc/stat) minus that of the bench's
 * process tree (this process and its descendants, with the children they
 * reaped: /proc/PID/stat utime, stime, cutime, cstime) is what others took.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

export interface CpuSnapshot {
  /** When it was taken (ms, performance.now()). */
  atMs: number;
  /** Busy ticks of every core together since boot. */
  machineTicks: number;
  /** Ticks of the bench's process tree. */
  benchTicks: number;
}

/** Busy ticks from /proc/stat's `cpu` line: everything but idle and iowait. */
export function machineBusyTicks(procStat: string): number {
  const fields = procStat.split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  return user + nice + system + irq + softirq + steal;
}

/** pid, parent pid and own plus reaped children's ticks from a /proc/PID/stat line. */
export function parsePidStat(line: string): { pid: number; ppid: number; ticks: number } {
  // The command name is in parentheses and may hold spaces or ')': fields start after the last ')'.
  const pid = Number(line.slice(0, line.indexOf(' ')));
  const rest = line.slice(line.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state): ppid is field 4, utime..cstime are fields 14..17.
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(rest[i]), 0);
  return { pid, ppid: Number(rest[1]), ticks };
}

/** Ticks of `root` and all its descendants, over the given process table. */
export function treeTicks(processes: Array<{ pid: number; ppid: number; ticks: number }>, root: number): number {
  const children = new Map<number, number[]>();
  for (const p of processes) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
  const ticks = new Map(processes.map((p) => [p.pid, p.ticks]));
  let total = 0;
  for (const queue = [root]; queue.length > 0; ) {
    const pid = queue.pop()!;
    total += ticks.get(pid) ?? 0;
    queue.push(...(children.get(pid) ?? []));
  }
  return total;
}

/** Now, or undefined where /proc cannot be read. */
export function cpuSnapshot(root = process.pid): CpuSnapshot | undefined {
  try {
    const processes = [];
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        processes.push(parsePidStat(readFileSync(`/proc/${name}/stat`, 'utf8')));
      } catch {
        // The process ended while the table was read.
      }
    }
    return { atMs: performance.now(), machineTicks: machineBusyTicks(readFileSync('/proc/stat', 'utf8')), benchTicks: treeTicks(processes, root) };
  } catch {
    return undefined;
  }
}

/** Cores that processes outside the bench used on average between two snapshots (≥ 0). */
export function otherCores(before: CpuSnapshot, after: CpuSnapshot): number {
  const seconds = (after.atMs - before.atMs) / 1000;
  if (seconds <= 0) return 0;
  const others = after.machineTicks - before.machineTicks - (after.benchTicks - before.benchTicks);
  return Math.max(0, others / TICKS_PER_SECOND / seconds);
}

/**
 * Summaries of repeated measurements. The bench reports median, min and max
 * of N interleaved runs: the median resists a neighbour's CPU burst on a
 * shared 2-core machine, and min/max show how noisy the run was.
 */

export interface Summary {
  n: number;
  median: number;
  min: number;
  max: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function summarize(values: readonly number[]): Summary {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return { n: 0, median: Number.NaN, min: Number.NaN, max: Number.NaN };
  return { n: finite.length, median: median(finite), min: Math.min(...finite), max: Math.max(...finite) };
}

/** a / b of medians, NaN when either is missing or b is zero. */
export function ratio(a: Summary | undefined, b: Summary | undefined): number {
  if (!a || !b || !(b.median > 0) || !Number.isFinite(a.median)) return Number.NaN;
  return a.median / b.median;
}

export function formatMs(value: number): string {
  if (!Number.isFinite(value)) return '–';
  // Worker memory hits are fractions of a millisecond; views are hundreds.
  if (value >= 100) return `${Math.round(value)}`;
  return value < 1 ? value.toFixed(2) : value.toFixed(1);
}

export function formatRatio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}x` : '–';
}

/** `123 (110–140)`: median with the range, in milliseconds. */
export function formatSummary(summary: Summary | undefined): string {
  if (!summary || summary.n === 0) return '–';
  if (summary.n === 1) return formatMs(summary.median);
  return `${formatMs(summary.median)} (${formatMs(summary.min)}–${formatMs(summary.max)})`;
}

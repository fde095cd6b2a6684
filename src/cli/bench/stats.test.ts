import { describe, expect, it } from 'vitest';
import { formatRatio, formatSummary, median, ratio, summarize } from './stats.ts';

describe('bench stats', () => {
  it('takes the median of odd and even counts without reordering the input', () => {
    const values = [5, 1, 4];
    expect(median(values)).toBe(4);
    expect(values).toEqual([5, 1, 4]);
    expect(median([1, 2, 3, 10])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('summarizes finite values only (a failed run is NaN, not zero)', () => {
    expect(summarize([300, Number.NaN, 100, 200])).toEqual({ n: 3, median: 200, min: 100, max: 300 });
    expect(summarize([Number.NaN]).n).toBe(0);
  });

  it('divides medians and refuses to divide by nothing', () => {
    expect(ratio(summarize([800, 790]), summarize([200]))).toBeCloseTo(3.975);
    expect(ratio(summarize([1]), summarize([0]))).toBeNaN();
    expect(ratio(undefined, summarize([1]))).toBeNaN();
    expect(formatRatio(3.975)).toBe('3.98x');
    expect(formatRatio(Number.NaN)).toBe('–');
  });

  it('formats a summary as median (min–max)', () => {
    expect(formatSummary(summarize([812.4, 790.2, 1203.9]))).toBe('812 (790–1204)');
    expect(formatSummary(summarize([0.61, 0.5]))).toBe('0.55 (0.50–0.61)');
    expect(formatSummary(summarize([42]))).toBe('42.0');
    expect(formatSummary(undefined)).toBe('–');
  });
});

import { describe, expect, it } from 'vitest';
import { isFitToCompare } from './report.ts';

describe('isFitToCompare', () => {
  it('with the other processes measured, the load after (the bench\'s own) does not decide', () => {
    expect(isFitToCompare({ before: [1, 1, 1], after: [3.6, 3, 3], otherCores: 0.05 }, 2)).toBe(true);
    expect(isFitToCompare({ before: [1, 1, 1], after: [3.6, 3, 3], otherCores: 0.5 }, 2)).toBe(false);
    expect(isFitToCompare({ before: [2.5, 1, 1], after: [1, 1, 1], otherCores: 0 }, 2)).toBe(false);
  });
  it('is fit while the 1-minute load stays within the core count, before and after', () => {
    expect(isFitToCompare({ before: [1.5, 3, 3], after: [2, 9, 9] }, 2)).toBe(true);
  });
  it('is unfit when the load exceeded the cores before or after the run', () => {
    expect(isFitToCompare({ before: [2.5, 1, 1], after: [1, 1, 1] }, 2)).toBe(false);
    expect(isFitToCompare({ before: [1, 1, 1], after: [12, 1, 1] }, 2)).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { isFitToCompare } from './report.ts';

describe('isFitToCompare', () => {
  it('is fit while the 1-minute load stays within the core count, before and after', () => {
    expect(isFitToCompare({ before: [1.5, 3, 3], after: [2, 9, 9] }, 2)).toBe(true);
  });
  it('is unfit when the load exceeded the cores before or after the run', () => {
    expect(isFitToCompare({ before: [2.5, 1, 1], after: [1, 1, 1] }, 2)).toBe(false);
    expect(isFitToCompare({ before: [1, 1, 1], after: [12, 1, 1] }, 2)).toBe(false);
  });
});

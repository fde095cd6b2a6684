import { describe, expect, it } from 'vitest';
import { RetryBudget } from './retry-budget.ts';

describe('RetryBudget', () => {
  it('allows a burst of capacity, then refillPerSecond a second, never more than capacity', () => {
    let now = 0;
    const budget = new RetryBudget({ capacity: 3, refillPerSecond: 2, now: () => now });
    expect([budget.tryTake(), budget.tryTake(), budget.tryTake(), budget.tryTake()]).toEqual([true, true, true, false]);
    now = 500; // half a second: one token
    expect([budget.tryTake(), budget.tryTake()]).toEqual([true, false]);
    now = 60_000;
    expect(budget.report()).toMatchObject({ available: 3, spent: 4, denied: 2 });
  });
});

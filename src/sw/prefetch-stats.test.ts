import { describe, expect, it } from 'vitest';
import { PrefetchCounters } from './prefetch-stats.ts';

describe('PrefetchCounters', () => {
  it('counts a prefetched tile as used once, when a viewer asks for it', () => {
    const counters = new PrefetchCounters();
    counters.fetched('d/5/1/1', 100);
    counters.fetched('d/5/1/2', 300);
    counters.requested('d/5/1/1');
    counters.requested('d/5/1/1');
    counters.requested('d/5/9/9');
    expect(counters.snapshot(0)).toMatchObject({ prefetched: 2, bytes: 400, used: 1, hitRate: 0.5 });
    expect(counters.meanTileBytes).toBe(200);
  });

  it('remembers a bounded number of prefetched tiles', () => {
    const counters = new PrefetchCounters(2);
    for (const id of ['a', 'b', 'c']) counters.fetched(id, 1);
    counters.requested('a'); // forgotten: the oldest of three with room for two
    counters.requested('c');
    expect(counters.snapshot(0).used).toBe(1);
  });
});

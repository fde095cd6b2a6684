import { describe, expect, it } from 'vitest';
import { BatchQueue } from './batch-queue.ts';

const settled = async <T>(p: Promise<T>) => Promise.allSettled([p]).then(([r]) => r!);

describe('BatchQueue', () => {
  it('joins requests for a tile already pending or in flight', async () => {
    const q = new BatchQueue<string>();
    const a = q.enqueue('d/1/0/0.jpg', { group: 'd' });
    const b = q.enqueue('d/1/0/0.jpg', { group: 'd' });
    expect(q.pending).toBe(1);
    expect(q.take('d', 10)).toEqual(['d/1/0/0.jpg']);
    const c = q.enqueue('d/1/0/0.jpg', { group: 'd' }); // joins the in-flight entry
    expect(q.get('d/1/0/0.jpg')).toMatchObject({ state: 'in-flight', waiters: 3 });
    expect(q.take('d', 10)).toEqual([]);
    expect(q.settle('d/1/0/0.jpg', 'bytes')).toBe(true);
    expect(await Promise.all([a, b, c])).toEqual(['bytes', 'bytes', 'bytes']);
    expect(q.pending + q.inFlight).toBe(0);
  });

  it('hands out visible tiles before prefetch, oldest first, per group and bounded by max', () => {
    const q = new BatchQueue<string>();
    void q.enqueue('p1', { group: 'd', priority: 'prefetch' }).catch(() => {});
    void q.enqueue('v1', { group: 'd' }).catch(() => {});
    void q.enqueue('o1', { group: 'other' }).catch(() => {});
    void q.enqueue('v2', { group: 'd' }).catch(() => {});
    void q.enqueue('p2', { group: 'd', priority: 'prefetch' }).catch(() => {});
    void q.enqueue('p2', { group: 'd', priority: 'visible' }).catch(() => {}); // raised by a visible request
    expect(q.nextGroup()).toBe('d');
    expect(q.take('d', 3)).toEqual(['v1', 'v2', 'p2']);
    expect(q.pendingIn('d')).toBe(1);
    expect(q.take('d', 3)).toEqual(['p1']);
    expect(q.nextGroup()).toBe('other');
  });

  it('hands out offline-region tiles after visible and prefetch ones, even when they queued first', () => {
    const q = new BatchQueue<string>();
    void q.enqueue('r1', { group: 'd', priority: 'region' }).catch(() => {});
    void q.enqueue('r2', { group: 'd', priority: 'region' }).catch(() => {});
    void q.enqueue('p1', { group: 'd', priority: 'prefetch' }).catch(() => {});
    void q.enqueue('v1', { group: 'd' }).catch(() => {});
    void q.enqueue('r2', { group: 'd', priority: 'prefetch' }).catch(() => {}); // a prefetch wanting a region tile raises it
    expect(q.take('d', 3)).toEqual(['v1', 'r2', 'p1']);
    expect(q.take('d', 3)).toEqual(['r1']);
    expect(q.visible).toBe(1);
  });

  it('lets a pending tile leave when every waiter has aborted, but not before', async () => {
    const q = new BatchQueue<string>();
    const one = new AbortController();
    const two = new AbortController();
    const a = q.enqueue('t', { group: 'd', signal: one.signal });
    const b = q.enqueue('t', { group: 'd', signal: two.signal });
    one.abort();
    expect((await settled(a)).status).toBe('rejected');
    expect(q.get('t')?.waiters).toBe(1);
    two.abort();
    expect((await settled(b)).status).toBe('rejected');
    expect(q.get('t')).toBeUndefined();
    expect(q.take('d', 10)).toEqual([]);
  });

  it('keeps an in-flight tile when its waiters go, so the arriving bytes can still be cached', () => {
    const q = new BatchQueue<string>();
    const gone = new AbortController();
    void q.enqueue('t', { group: 'd', signal: gone.signal }).catch(() => {});
    q.take('d', 1);
    gone.abort();
    expect(q.get('t')).toMatchObject({ state: 'in-flight', waiters: 0 });
    expect(q.settle('t', 'x')).toBe(false);
  });

  it('drops pending tiles by predicate and rejects their waiters with AbortError', async () => {
    const q = new BatchQueue<string>();
    const far = q.enqueue('d/9/0/0', { group: 'd', priority: 'prefetch' });
    const near = q.enqueue('d/1/0/0', { group: 'd' });
    expect(q.drop((t) => t.priority === 'prefetch')).toBe(1);
    const outcome = await settled(far);
    expect(outcome.status === 'rejected' && (outcome.reason as Error).name).toBe('AbortError');
    expect(q.take('d', 10)).toEqual(['d/1/0/0']);
    q.fail('d/1/0/0', new Error('batch failed'));
    await expect(near).rejects.toThrow('batch failed');
  });

  it('refuses new tiles past maxPending, but still lets requests join', async () => {
    const q = new BatchQueue<string>({ maxPending: 2 });
    void q.enqueue('a', { group: 'd' });
    void q.enqueue('b', { group: 'd' });
    await expect(q.enqueue('c', { group: 'd' })).rejects.toMatchObject({ code: 'TOO_MANY_TILES' });
    void q.enqueue('a', { group: 'd' });
    expect(q.get('a')?.waiters).toBe(2);
  });
});

describe('BatchQueue.visible', () => {
  it('counts visible tiles pending and in flight, not prefetches, until they settle', () => {
    const q = new BatchQueue<number>();
    void q.enqueue('a', { group: 'd' });
    void q.enqueue('b', { group: 'd', priority: 'prefetch' });
    expect(q.visible).toBe(1);
    q.take('d', 100);
    expect(q.visible).toBe(1); // in flight still counts
    void q.enqueue('b', { group: 'd', priority: 'visible' }); // a visible request raises the prefetch
    expect(q.visible).toBe(2);
    q.settle('a', 1);
    q.settle('b', 2);
    expect(q.visible).toBe(0);
  });
});

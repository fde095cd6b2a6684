import { describe, expect, it } from 'vitest';
import { ByteLru } from './byte-lru.ts';

const sized = (n: number) => new Uint8Array(n);

describe('ByteLru', () => {
  it('evicts least recently used entries to stay under its byte bound', () => {
    const lru = new ByteLru<Uint8Array>({ maxBytes: 100, sizeOf: (v) => v.length });
    lru.set('a', sized(40));
    lru.set('b', sized(40));
    lru.get('a'); // a is now more recent than b
    lru.set('c', sized(40));
    expect(lru.has('a')).toBe(true);
    expect(lru.has('b')).toBe(false);
    expect(lru.has('c')).toBe(true);
    expect(lru.bytes).toBe(80);
    expect(lru.entries).toBe(2);
  });

  it('does not keep an entry larger than the whole budget', () => {
    const lru = new ByteLru<Uint8Array>({ maxBytes: 10, sizeOf: (v) => v.length });
    lru.set('big', sized(11));
    expect(lru.has('big')).toBe(false);
    expect(lru.bytes).toBe(0);
  });

  it('runs one load for concurrent callers of a key and caches the result', async () => {
    const lru = new ByteLru<Uint8Array>({ maxBytes: 1000, sizeOf: (v) => v.length });
    let calls = 0;
    const loader = async () => {
      calls += 1;
      await new Promise((resolve) => setTimeout(resolve, 10));
      return sized(5);
    };
    const results = await Promise.all(Array.from({ length: 20 }, () => lru.load('k', loader)));
    expect(calls).toBe(1);
    expect(new Set(results).size).toBe(1);
    await lru.load('k', loader);
    expect(calls).toBe(1);
  });

  it('caches neither undefined nor failures', async () => {
    const lru = new ByteLru<Uint8Array>({ maxBytes: 1000, sizeOf: (v) => v.length });
    expect(await lru.load('missing', async () => undefined)).toBeUndefined();
    expect(lru.has('missing')).toBe(false);
    await expect(lru.load('bad', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(lru.has('bad')).toBe(false);
    expect(await lru.load('bad', async () => sized(3))).toHaveLength(3);
  });

  it('deletes by prefix', () => {
    const lru = new ByteLru<Uint8Array>({ maxBytes: 1000, sizeOf: (v) => v.length });
    lru.set('a@1/0/0/0', sized(1));
    lru.set('a@1/1/0/0', sized(1));
    lru.set('b@1/0/0/0', sized(1));
    expect(lru.prefixStats('a@')).toEqual({ entries: 2, bytes: 2 });
    expect(lru.deletePrefix('a@')).toBe(2);
    expect(lru.prefixStats('a@')).toEqual({ entries: 0, bytes: 0 });
    expect(lru.entries).toBe(1);
  });
});

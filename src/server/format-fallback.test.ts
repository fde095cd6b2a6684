import { describe, expect, it } from 'vitest';
import { formatOrder, FormatMemory, NegativeCache } from './format-fallback.ts';

describe('format fallback', () => {
  it('tries remembered formats (most frequent, then latest), then the requested one, then jpg, png, webp', () => {
    expect(formatOrder('jpg')).toEqual(['jpg', 'png', 'webp']);
    expect(formatOrder('webp')).toEqual(['webp', 'jpg', 'png']);
    expect(formatOrder('jpeg')).toEqual(['jpeg', 'jpg', 'png', 'webp']);
    const memory = new FormatMemory(10);
    memory.remember('mixed', 6, 'png');
    expect(memory.get('mixed', 6)).toEqual(['png']);
    memory.remember('mixed', 6, 'webp'); // a tie: the latest first
    expect(memory.get('mixed', 6)).toEqual(['webp', 'png']);
    memory.remember('mixed', 6, 'png'); // the most frequent first
    memory.remember('mixed', 6, 'webp');
    memory.remember('mixed', 6, 'png');
    expect(formatOrder('jpg', memory.get('mixed', 6))).toEqual(['png', 'webp', 'jpg']);
    // Counts decay: a level re-tiled to webp is relearnt within a few dozen tiles.
    for (let i = 0; i < 40; i += 1) memory.remember('mixed', 4, 'jpg');
    for (let i = 0; i < 45; i += 1) memory.remember('mixed', 4, 'webp');
    expect(memory.get('mixed', 4)[0]).toBe('webp');
    expect(memory.get('mixed', 5)).toEqual([]);
    memory.forget('mixed');
    expect(memory.get('mixed', 6)).toEqual([]);
  });

  it('bounds the negative cache by entries and forgets by prefix', () => {
    const missing = new NegativeCache({ maxEntries: 2, ttlMs: 60_000 });
    missing.add('a@1/0/0/0');
    missing.add('a@1/0/0/1');
    missing.add('b@1/0/0/0');
    expect(missing.size).toBe(2);
    expect(missing.has('a@1/0/0/0')).toBe(false);
    expect(missing.deletePrefix('a@')).toBe(1);
    expect(missing.has('b@1/0/0/0')).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { FailedTiles } from './failed-tiles.ts';
import { identify } from './tile-identity.ts';

const id = (x: number) => identify({ source: 's', level: 2, x, y: 0, ext: 'jpg', url: `http://127.0.0.1:9/s/2/${x}/0.jpg` }, 'v');

describe('FailedTiles', () => {
  it('retries failed tiles on its schedule, tells the pages which are back, and gives up after the last round', async () => {
    const tries = new Map<number, number>();
    const told: string[][] = [];
    const failed = new FailedTiles({
      scheduleMs: [0, 0, 0],
      maxTiles: 10,
      retry: async ({ x }) => {
        tries.set(x, (tries.get(x) ?? 0) + 1);
        // The companion answers from each tile's second try on; tile 9 stays broken.
        return tries.get(x)! >= 2 && x !== 9;
      },
      notify: async (urls) => void told.push(urls),
    });
    const rounds = Promise.all([failed.add(id(1)), failed.add(id(2)), failed.add(id(9))]);
    await rounds;
    expect(told).toEqual([[id(1).url, id(2).url]]);
    expect(tries.get(1)).toBe(2);
    expect(tries.get(9)).toBe(3); // bounded by the schedule
    expect(failed.recovered).toBe(2);
    expect(failed.abandoned).toBe(1);
    expect(failed.waiting).toBe(0);
  });

  it('holds at most maxTiles and never rejects when a retry throws', async () => {
    let calls = 0;
    const failed = new FailedTiles({
      scheduleMs: [0],
      maxTiles: 2,
      retry: async () => {
        calls += 1;
        throw new TypeError('Failed to fetch');
      },
      notify: async () => {},
    });
    await Promise.all([1, 2, 3, 4].map((x) => failed.add(id(x))));
    expect(calls).toBe(2);
    expect(failed.abandoned).toBe(2);
  });
});

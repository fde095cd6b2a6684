import { describe, expect, it } from 'vitest';
import type { DatasetInfo } from '../shared/dataset-info.ts';
import { StaleInfoCache } from './stale-info.ts';

const info = (version: string): DatasetInfo => ({ width: 1, height: 1, tileSize: 256, overlap: 0, minLevel: 0, maxLevel: 0, format: 'jpg', version });

describe('StaleInfoCache', () => {
  it('serves the last good info while reading it again fails, up to staleIfErrorMs, without waiting once failing', async () => {
    let now = 0;
    const cache = new StaleInfoCache({ ttlMs: 100, staleIfErrorMs: 1000, now: () => now });
    let reads = 0;
    let answer: () => Promise<DatasetInfo | null> = async () => info('v1');
    const load = () => {
      reads += 1;
      return answer();
    };
    expect(await cache.get('d', load)).toEqual({ info: info('v1'), stale: false });
    now = 50;
    await cache.get('d', load);
    expect(reads).toBe(1); // fresh within the TTL

    answer = async () => {
      throw new Error('store answered 503');
    };
    now = 200;
    expect(await cache.get('d', load)).toEqual({ info: info('v1'), stale: true });
    expect(cache.report('d')).toMatchObject({ ageMs: 200, stale: true, lastError: 'store answered 503' });
    // Known failing: answered at once, even while the background read hangs.
    answer = () => new Promise(() => undefined);
    expect(await cache.get('d', load)).toEqual({ info: info('v1'), stale: true });

    now = 1001;
    answer = async () => {
      throw new Error('still down');
    };
    const fresh = new StaleInfoCache({ ttlMs: 100, staleIfErrorMs: 1000, now: () => now });
    await expect(fresh.get('d', load)).rejects.toThrow('still down'); // nothing good to fall back on
  });

  it('stops serving stale info past staleIfErrorMs, and picks up a new version once the store answers', async () => {
    let now = 0;
    const cache = new StaleInfoCache({ ttlMs: 10, staleIfErrorMs: 100, now: () => now });
    let answer: () => Promise<DatasetInfo | null> = async () => info('v1');
    await cache.get('d', () => answer());
    answer = async () => {
      throw new Error('down');
    };
    now = 100;
    await expect(cache.get('d', () => answer())).rejects.toThrow('down');
    answer = async () => info('v2');
    now = 101;
    expect(await cache.get('d', () => answer())).toEqual({ info: info('v2'), stale: false });
    expect(cache.report('d')).toMatchObject({ stale: false, lastError: null, ageMs: 0 });
  });
});

describe('StaleInfoCache under load', () => {
  it('answers callers that arrive while a read again is under way with the info it has, without a second read', async () => {
    let now = 0;
    const cache = new StaleInfoCache({ ttlMs: 10, staleIfErrorMs: 1000, now: () => now });
    await cache.get('d', async () => info('v1'));
    now = 20;
    let finish!: (value: DatasetInfo) => void;
    let reads = 0;
    const slow = () => {
      reads += 1;
      return new Promise<DatasetInfo>((resolve) => (finish = resolve));
    };
    const first = cache.get('d', slow); // the caller that starts the read waits for it
    expect(await cache.get('d', slow)).toEqual({ info: info('v1'), stale: false });
    expect(reads).toBe(1);
    finish(info('v2'));
    expect(await first).toEqual({ info: info('v2'), stale: false });
  });
});

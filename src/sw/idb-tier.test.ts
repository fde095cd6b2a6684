import { describe, expect, it, vi } from 'vitest';
import { IdbTier } from './idb-tier.ts';
import { TileDbHandle } from './tile-db.ts';

describe('IdbTier without IndexedDB', () => {
  it('turns an unopenable database into misses, never into failures', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    let opens = 0;
    const handle = new TileDbHandle(() => {
      opens += 1;
      return Promise.reject(new DOMException('storage disabled', 'InvalidStateError'));
    });
    const tier = new IdbTier(handle, { maxBytes: 1000, quotaShare: 0.5, touchFlushMs: 10, estimate: async () => ({ quota: 100 }) });
    expect(await tier.get('d@v/0/0/0')).toBeUndefined();
    const tile = { body: new Blob([new Uint8Array(10)]), contentType: 'image/jpeg', etag: '', storedAt: 0 };
    await expect(tier.putMany([{ key: 'd@v/0/0/0', tile }])).resolves.toBeUndefined();
    expect(await tier.usage()).toEqual({ available: false, bytes: 0, entries: 0, budget: 50 });
    expect(opens).toBe(1); // tried once, not on every tile
    warn.mockRestore();
  });
});

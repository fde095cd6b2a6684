/**
 * The one owner of what is stored where: memory (tier 1) and IndexedDB
 * (tier 2). The strategy, the batch client's hooks, the revalidator and the
 * prefetcher all read and write tiles through here, always under the
 * identity's key (the key the tile was asked for).
 */
import type { IdbTier, IdbUsage } from './idb-tier.ts';
import type { MemoryTier } from './memory-tier.ts';
import type { StoredTile } from './stored-tile.ts';
import { tileProblem } from './tile-body.ts';
import { versionPrefix, type TileIdentity } from './tile-identity.ts';

export interface Found {
  tile: StoredTile;
  tier: 'memory' | 'idb';
}

export class TileStore {
  readonly memory: MemoryTier;
  readonly idb: IdbTier;
  /** Tiles offered to `putMany` and refused because their body is no whole image. */
  refused = 0;

  constructor(memory: MemoryTier, idb: IdbTier) {
    this.memory = memory;
    this.idb = idb;
  }

  /** Memory, then IndexedDB (a hit there is promoted to memory), then memory again: the tile may have landed while IndexedDB looked. */
  async lookup(id: TileIdentity): Promise<Found | undefined> {
    const inMemory = this.memory.get(id.key);
    if (inMemory) return { tile: inMemory, tier: 'memory' };
    const stored = await this.idb.get(id.key);
    if (stored) {
      this.memory.set(id.key, stored);
      return { tile: stored, tier: 'idb' };
    }
    const landed = this.memory.get(id.key);
    return landed && { tile: landed, tier: 'memory' };
  }

  /** Memory only, now: a frame that just arrived and passed `frameIsTile` (its IndexedDB write comes with its batch's). */
  remember(id: TileIdentity, tile: StoredTile): void {
    this.memory.set(id.key, tile);
  }

  /**
   * Memory, then IndexedDB in one transaction for all of them; never rejects.
   * A tile whose body is no whole image of its type (tile-body.ts) is left
   * out of both, whoever offers it.
   */
  async putMany(entries: Array<{ id: TileIdentity; tile: StoredTile }>): Promise<void> {
    const problems = await Promise.all(entries.map(({ tile }) => tileProblem(tile)));
    const good = entries.filter((_, i) => problems[i] === null);
    this.refused += entries.length - good.length;
    for (const { id, tile } of good) this.memory.set(id.key, tile);
    await this.idb.putMany(good.map(({ id, tile }) => ({ key: id.key, tile })));
  }

  put(id: TileIdentity, tile: StoredTile): Promise<void> {
    return this.putMany([{ id, tile }]);
  }

  /** Frees every tile of one version of a source: it can never be asked for again. */
  async forgetVersion(source: string, version: string): Promise<void> {
    const prefix = versionPrefix(source, version);
    this.memory.deletePrefix(prefix);
    await this.idb.deletePrefix(prefix);
  }

  async clear(): Promise<void> {
    this.memory.clear();
    await this.idb.clear();
  }

  async usage(): Promise<{ memory: ReturnType<MemoryTier['usage']>; idb: IdbUsage }> {
    return { memory: this.memory.usage(), idb: await this.idb.usage() };
  }
}

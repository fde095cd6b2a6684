import { describe, expect, it } from 'vitest';
import type { QueuedTile } from '../shared/batch-queue.ts';
import type { ViewState } from '../shared/view-protocol.ts';
import type { TileIdentity } from './tile-identity.ts';
import { ViewTracker } from './view-tracker.ts';

const info = { width: 8192, height: 8192, tileSize: 256, overlap: 0, minLevel: 0, maxLevel: 5, format: 'jpg' as const, version: 'v' };
const view = (viewerId: string, x: number, level = 5): ViewState => ({
  viewerId,
  dataset: 'd',
  tileUrlPrefix: '/api/tiles/d/',
  info,
  rect: { x, y: 0, width: 1024, height: 1024 },
  level,
  settled: false,
  prefetch: true,
});
const queued = (key: string, priority: QueuedTile['priority'] = 'visible', group = 'd'): [QueuedTile, TileIdentity] => {
  const [source, z, x, y] = key.replace(/\.jpg$/, '').split('/') as [string, string, string, string];
  const id = { source, level: Number(z), x: Number(x), y: Number(y), ext: 'jpg', url: `https://example.test/${key}`, key: `${source}@v/${z}/${x}/${y}` };
  return [{ key: id.key, group, priority, state: 'pending', waiters: 1 }, id];
};

describe('ViewTracker', () => {
  it('drops visible tiles that no view of their dataset touches, with a one-tile margin', () => {
    const tracker = new ViewTracker();
    tracker.update(view('a', 0)); // tiles 0..4 at level 5, kept up to 5 with the margin
    const left = tracker.leftView('d');
    expect(left(...queued('d/5/3/1.jpg'))).toBe(false);
    expect(left(...queued('d/5/5/1.jpg'))).toBe(false);
    expect(left(...queued('d/5/6/1.jpg'))).toBe(true);
    expect(left(...queued('d/3/0/0.jpg'))).toBe(false); // a lower level under the view
  });

  it('keeps prefetch entries, other datasets, and tiles another viewer still shows', () => {
    const tracker = new ViewTracker();
    tracker.update(view('a', 0));
    tracker.update(view('b', 4096));
    const left = tracker.leftView('d');
    expect(left(...queued('d/5/17/1.jpg'))).toBe(false);
    expect(left(...queued('d/5/10/1.jpg'))).toBe(true);
    expect(left(...queued('d/5/10/1.jpg', 'prefetch'))).toBe(false);
    expect(left(...queued('e/5/10/1.jpg', 'visible', 'e'))).toBe(false);
    expect(tracker.leftView('e')(...queued('e/5/10/1.jpg', 'visible', 'e'))).toBe(false); // nobody reports e: drop nothing
  });

  it('forgets closed viewers and views not reported for too long', () => {
    let now = 0;
    const tracker = new ViewTracker({ viewTtlMs: 1000, now: () => now });
    tracker.update(view('a', 0));
    tracker.update(view('b', 4096));
    tracker.forget('b');
    expect(tracker.viewsOf('d').map((v) => v.viewerId)).toEqual(['a']);
    now = 1001;
    expect(tracker.viewsOf('d')).toEqual([]);
  });
});

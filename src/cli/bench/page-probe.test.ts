import { describe, expect, it } from 'vitest';
import { failedView } from './page-probe.ts';

describe('failedView', () => {
  it('rejects a view whose tiles failed rather than loaded (it would pass for an instant one)', () => {
    const why = failedView('pan', { tilesFailed: 8, tilesLoaded: 0, lastTileError: 'HTTP 503' });
    expect(why).toBe('pan: 8 tiles failed, 0 loaded (last: HTTP 503)');
  });

  it('accepts views that loaded, including a few tiles dropped while the view moved', () => {
    expect(failedView('tour', { tilesFailed: 3, tilesLoaded: 177 })).toBeUndefined();
    expect(failedView('home', { tilesFailed: 0, tilesLoaded: 0 })).toBeUndefined();
  });
});

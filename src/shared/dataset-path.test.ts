import { describe, expect, it } from 'vitest';
import { isValidDatasetPath, parseTileApiPath } from './dataset-path.ts';

describe('parseTileApiPath', () => {
  it('splits nested dataset names off the known endpoints and tile coordinates', () => {
    expect(parseTileApiPath('sample/info')).toEqual({ dataset: 'sample', endpoint: 'info' });
    expect(parseTileApiPath('collections/case-1/batch')).toEqual({ dataset: 'collections/case-1', endpoint: 'batch' });
    expect(parseTileApiPath('a/b/c/cache-stats')).toEqual({ dataset: 'a/b/c', endpoint: 'cache-stats' });
    expect(parseTileApiPath('collections/case-1/3/2/1.jpeg')).toEqual({
      dataset: 'collections/case-1',
      endpoint: 'tile',
      tile: { z: 3, x: 2, y: 1, ext: 'jpeg' },
    });
  });

  it('reads an encoded slash as a folder separator (pages encodeURIComponent the name)', () => {
    expect(parseTileApiPath('collections%2Fcase-1/info')).toEqual({ dataset: 'collections/case-1', endpoint: 'info' });
  });

  it('refuses traversal (plain or encoded), empty folders and bad escapes', () => {
    for (const bad of ['../info', 'a/../b/info', '%2e%2e/info', 'a%2F..%2Fb/info', '..%2Fetc/1/0/0.jpg', 'a//b/info', './a/info', '/info', 'a/%zz/info']) {
      expect(() => parseTileApiPath(bad), bad).toThrow(/invalid|percent/);
    }
    expect(isValidDatasetPath('a/b')).toBe(true);
    expect(isValidDatasetPath(Array.from({ length: 17 }, () => 'a').join('/'))).toBe(false);
  });

  it('names the grammar for anything else', () => {
    expect(() => parseTileApiPath('sample/whatever')).toThrow(/No tile API endpoint/);
    expect(() => parseTileApiPath('sample')).toThrow(/No tile API endpoint/);
  });
});

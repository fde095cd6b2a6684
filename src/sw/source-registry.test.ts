import { describe, expect, it, vi } from 'vitest';
import type { Pyramid } from '../shared/layouts/index.ts';
import { SourceRegistry } from './source-registry.ts';
import { TileDbHandle } from './tile-db.ts';

const pyramid: Pyramid = { layout: 'dzi', width: 1500, height: 1100, tileSize: 254, overlap: 1, minLevel: 0, maxLevel: 11, format: 'jpeg', rounding: 'ceil' };

function registry(fetch: (r: Request) => Promise<Response> = async () => new Response('', { status: 404 })) {
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  const changed: string[] = [];
  const db = new TileDbHandle(() => Promise.reject(new Error('no IndexedDB in Node')));
  return { changed, sources: new SourceRegistry(db, { fetch, timeoutMs: 5000, versionDidChange: (source, old) => changed.push(`${source}@${old}`) }) };
}

describe('SourceRegistry', () => {
  it('matches a URL to the source with the longest tile root, once, into an identity keyed by version', async () => {
    const { sources } = registry();
    await sources.register({ pyramid, paths: { layout: 'dzi' }, tileRoot: 'https://h.example/a/scan_files/', version: 'v1' });
    await sources.register({ pyramid, paths: { template: 'https://h.example/a/{level}/{x}/{y}.jpeg' }, tileRoot: 'https://h.example/a/', version: 'v2' });
    const match = sources.match('https://h.example/a/scan_files/11/5_4.jpeg?sig=1');
    expect(match).toMatchObject({ source: 'https://h.example/a/scan_files/', level: 11, x: 5, y: 4, url: 'https://h.example/a/scan_files/11/5_4.jpeg?sig=1' });
    expect(sources.identify(match!)?.key).toBe('https://h.example/a/scan_files/@v1/11/5/4');
    expect(sources.match('https://h.example/a/11/1/2.jpeg')).toMatchObject({ source: 'https://h.example/a/', level: 11, x: 1, y: 2 });
    expect(sources.match('https://h.example/b/scan_files/11/5_4.jpeg')).toBeNull();
    // The tile a prefetch names gets the URL the page would ask for.
    expect(sources.identityOf('https://h.example/a/scan_files/', { level: 2, x: 0, y: 0 })?.url).toBe('https://h.example/a/scan_files/2/0_0.jpeg');
  });

  it('versions a source by its descriptor, and a changed descriptor frees the old version', async () => {
    let etag = '"one"';
    const { sources, changed } = registry(async (request) => new Response('<Image/>', { headers: { ETag: etag, 'Content-Type': 'application/xml' }, status: request.url.endsWith('.dzi') ? 200 : 404 }));
    const dzi = 'https://h.example/scan.dzi';
    await sources.handleDescriptor(new Request(dzi)); // the page's own fetch of the descriptor, seen by the worker
    const registered = await sources.register({ pyramid, paths: { layout: 'dzi' }, tileRoot: 'https://h.example/scan_files/' });
    expect(registered.spec.descriptorUrl).toBe(dzi);
    const v1 = registered.version;
    expect(v1).toMatch(/^d-[0-9a-f]{16}$/);
    await sources.handleDescriptor(new Request(dzi));
    expect(changed).toEqual([]);
    etag = '"two"';
    await sources.handleDescriptor(new Request(dzi));
    expect(sources.get('https://h.example/scan_files/')!.version).not.toBe(v1);
    expect(changed).toEqual([`https://h.example/scan_files/@${v1}`]);
  });

  it('a source without a descriptor is inline, and a bad spec is refused with its reason', async () => {
    const { sources } = registry();
    expect((await sources.register({ pyramid, paths: { layout: 'dzi' }, tileRoot: 'https://h.example/x_files/' })).version).toBe('inline');
    await expect(sources.register({ pyramid, paths: { layout: 'dzi' }, tileRoot: '/relative/' })).rejects.toThrow(/absolute URL/);
  });

  it('a descriptor seen only after the tiles were stored keeps them; a later change of it frees them', async () => {
    let etag = '"one"';
    const { sources, changed } = registry(async () => new Response('<Image/>', { headers: { ETag: etag } }));
    const root = 'https://h.example/late_files/';
    expect((await sources.register({ pyramid, paths: { layout: 'dzi' }, tileRoot: root })).version).toBe('inline');
    await sources.handleDescriptor(new Request('https://h.example/late.dzi')); // the next page load, now controlled
    expect((await sources.register({ pyramid, paths: { layout: 'dzi' }, tileRoot: root })).version).toBe('inline');
    expect(changed).toEqual([]);
    etag = '"two"';
    await sources.handleDescriptor(new Request('https://h.example/late.dzi'));
    expect(sources.get(root)!.version).toMatch(/^d-/);
    expect(changed).toEqual([`${root}@inline`]);
  });
});

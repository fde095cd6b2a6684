/**
 * loadViewportTiles against a real companion on a socket, reading a fixture
 * folder: the bytes that come back are the bytes on disk, in both formats.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadViewportTiles } from '../src/client/load-viewport-tiles.ts';
import { TileError } from '../src/shared/errors.ts';
import { startCompanion, type RunningCompanion } from '../src/server/node-server.ts';
import { LocalFolderSource } from '../src/server/sources/local-folder.ts';
import { imageEnvelope } from '../src/shared/testing/image-envelope.ts';

let dir: string;
let companion: RunningCompanion;
// Distinct bytes per tile in a real image envelope (the companion refuses non-images); 1/1 is the png one.
const bytesOf = (x: number, y: number) =>
  imageEnvelope(x === 1 && y === 1 ? 'png' : 'jpeg', new Uint8Array(300 + x * 7 + y).map((_, i) => (i * (x + 3) + y) % 256));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lvt-'));
  const info = { width: 1024, height: 1024, tileSize: 256, overlap: 0, minLevel: 0, maxLevel: 2, format: 'jpg', version: 'v1' };
  await mkdir(join(dir, 'fixture/2/0'), { recursive: true });
  await mkdir(join(dir, 'fixture/2/1'), { recursive: true });
  await writeFile(join(dir, 'fixture/info.json'), JSON.stringify(info));
  for (const [x, y] of [[0, 0], [0, 1], [1, 0]] as const) await writeFile(join(dir, `fixture/2/${x}/${y}.jpg`), bytesOf(x, y));
  await writeFile(join(dir, 'fixture/2/1/1.png'), bytesOf(1, 1));
  companion = await startCompanion({ source: new LocalFolderSource(dir) });
});

afterAll(async () => {
  await companion?.close();
  await rm(dir, { recursive: true, force: true });
});

describe.each(['json', 'binary'] as const)('loadViewportTiles (%s)', (format) => {
  it('returns the stored bytes for present tiles and null for absent ones', async () => {
    const before = companion.stats.dataset('fixture').batchRequests;
    const tiles = await loadViewportTiles('fixture', ['2/0/0.jpg', { z: 2, x: 0, y: 1, ext: 'jpg' }, '2/1/1.png', '2/3/3.jpg', '2/1/0.jpg'], {
      apiBase: `${companion.url}/api/tiles`,
      format,
    });
    expect([...tiles.keys()]).toEqual(['2/0/0.jpg', '2/0/1.jpg', '2/1/1.png', '2/3/3.jpg', '2/1/0.jpg']);
    expect(new Uint8Array(await tiles.get('2/0/0.jpg')!.arrayBuffer())).toEqual(bytesOf(0, 0));
    expect(new Uint8Array(await tiles.get('2/0/1.jpg')!.arrayBuffer())).toEqual(bytesOf(0, 1));
    expect(new Uint8Array(await tiles.get('2/1/1.png')!.arrayBuffer())).toEqual(bytesOf(1, 1));
    expect(new Uint8Array(await tiles.get('2/1/0.jpg')!.arrayBuffer())).toEqual(bytesOf(1, 0));
    expect(tiles.get('2/1/1.png')!.type).toBe('image/png');
    expect(tiles.get('2/3/3.jpg')).toBeNull();
    expect(companion.stats.dataset('fixture').batchRequests - before).toBe(1);
  });

  it('splits large requests and fails a missing dataset with its code', async () => {
    const before = companion.stats.dataset('fixture').batchRequests;
    const keys = Array.from({ length: 250 }, (_, i) => `2/${i}/0.jpg`);
    const tiles = await loadViewportTiles('fixture', keys, { apiBase: `${companion.url}/api/tiles`, format, concurrency: 2 });
    expect(tiles.size).toBe(250);
    expect([...tiles.values()].filter((b) => b !== null)).toHaveLength(2);
    expect(companion.stats.dataset('fixture').batchRequests - before).toBe(3);
    const failure = await loadViewportTiles('nope', ['0/0/0.jpg'], { apiBase: `${companion.url}/api/tiles`, format }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(TileError);
    expect((failure as TileError).code).toBe('NOT_FOUND');
  });
});

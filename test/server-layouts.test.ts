/**
 * The companion serves pyramids made by real `vips dzsave` (DZI default,
 * 256/0, .png, IIIF 2 and 3, Zoomify, google, a nested name, a bare z/x/y
 * folder after `describe`) from a local
 * folder and from s3rver: `/info` with the layout, every tile by
 * OpenSeadragon coordinates, single and batched, bytes equal to the files.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type CompanionApp } from '../src/server/app.ts';
import { LocalFolderSource } from '../src/server/sources/local-folder.ts';
import { R2S3Source } from '../src/server/sources/r2-s3.ts';
import { upstreamSettings } from '../src/server/source-from-config.ts';
import { HttpUpstream } from '../src/server/upstream/http-upstream.ts';
import { createPoolFetch, type PoolFetch } from '../src/server/upstream/pool-fetch.ts';
import { BATCH_CONTENT_TYPE, readBatchStream } from '../src/shared/batch-protocol.ts';
import type { DatasetInfo } from '../src/shared/dataset-info.ts';
import { findPyramid, levelGrid, tileObjectKey, type FoundPyramid } from '../src/shared/layouts/index.ts';
import { S3Objects } from '../src/shared/s3-objects.ts';
import { startS3rver, type S3rverHandle } from './support/s3rver.ts';
import { listFiles, makeVipsPyramids, type VipsPyramids } from './support/vips-pyramids.ts';
import { runDescribe } from '../src/cli/describe.ts';

const NAMES = ['dzi-default', 'dzi-256', 'dzi-png', 'iiif2', 'iiif3', 'zoomify', 'google', 'collections/case-1', 'bare'];
const BUCKET = 'pyramids';

let pyramids: VipsPyramids;
let s3: S3rverHandle;
let pool: PoolFetch;

beforeAll(async () => {
  pyramids = await makeVipsPyramids({ only: NAMES });
  // The bare z/x/y folder gets its descriptor the way a user gives it one.
  await runDescribe({ root: pyramids.root, dataset: 'bare', layout: 'zxy', force: false, log: () => {} });
  pyramids = { ...pyramids, files: await listFiles(pyramids.root) };
  s3 = await startS3rver({ buckets: [BUCKET] });
  const objects = new S3Objects({ endpoint: s3.endpoint, bucket: BUCKET, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey });
  for (let i = 0; i < pyramids.files.length; i += 8) {
    await Promise.all(
      pyramids.files.slice(i, i + 8).map(async (key) => objects.put(key, new Uint8Array(await readFile(join(pyramids.root, key))), { contentType: 'application/octet-stream', cacheControl: 'no-cache' })),
    );
  }
  pool = createPoolFetch({ connections: 8, timeoutMs: 10_000, keepAliveMs: 5_000 });
});

afterAll(async () => {
  await pool?.close();
  await s3?.close();
  await pyramids?.cleanup();
});

async function fileAt(key: string): Promise<Uint8Array | null> {
  return readFile(join(pyramids.root, key)).then((b) => new Uint8Array(b), () => null);
}

/** Every tile of the geometry with the bytes expected (the file, or blank.png where vips skipped a blank tile). */
async function expectedTiles(found: FoundPyramid): Promise<Array<{ path: string; bytes: Uint8Array }>> {
  const p = found.pyramid;
  const tiles: Array<{ path: string; bytes: Uint8Array }> = [];
  for (let level = p.minLevel; level <= p.maxLevel; level++) {
    const { columns, rows } = levelGrid(p, level);
    for (let y = 0; y < rows; y++) {
      for (let x = 0; x < columns; x++) {
        const bytes = (await fileAt(tileObjectKey(found.root, p, { level, x, y }))) ?? (found.blankKey ? await fileAt(found.blankKey) : null);
        tiles.push({ path: `${level}/${x}/${y}.${p.format}`, bytes: bytes! });
      }
    }
  }
  return tiles;
}

const sources = {
  'local folder': () => createApp({ source: new LocalFolderSource(pyramids.root) }),
  s3rver: () =>
    createApp({
      source: new R2S3Source(
        { endpoint: s3.endpoint, bucket: BUCKET, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
        new HttpUpstream({ ...upstreamSettings(10_000), fetch: pool.fetch }),
      ),
    }),
};

describe.each(Object.entries(sources))('the companion over a %s', (_label, make) => {
  let companion: CompanionApp;
  beforeAll(() => {
    companion = make();
  });

  it.each(NAMES)('%s: info, every tile single and batched, bytes equal to the files', async (name) => {
    const found = (await findPyramid(name, async (key) => {
      const bytes = await fileAt(key);
      return bytes && { bytes, etag: null };
    }))!;
    const { app, stats } = companion;
    const infoResponse = await app.request(`/api/tiles/${name}/info`);
    expect(infoResponse.status).toBe(200);
    const info = (await infoResponse.json()) as DatasetInfo;
    expect(info).toMatchObject({ layout: found.pyramid.layout, width: found.pyramid.width, maxLevel: found.pyramid.maxLevel, format: found.pyramid.format });
    expect(info.version).toMatch(/^[A-Za-z0-9._-]{1,64}$/);

    const tiles = await expectedTiles(found);
    for (const tile of tiles) {
      const response = await app.request(`/api/tiles/${name}/${tile.path}`);
      expect(response.status, tile.path).toBe(200);
      expect(new Uint8Array(await response.arrayBuffer()), tile.path).toEqual(tile.bytes);
    }
    const readsAfterSingles = stats.dataset(name).sourceReads;

    for (let i = 0; i < tiles.length; i += 100) {
      const chunk = tiles.slice(i, i + 100);
      const response = await app.request(`/api/tiles/${name}/batch`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: BATCH_CONTENT_TYPE },
        body: JSON.stringify({ tiles: chunk.map((t) => t.path) }),
      });
      expect(response.status).toBe(200);
      const frames = new Map<string, Uint8Array>();
      for await (const frame of readBatchStream(response.body!)) frames.set(frame.key, frame.body);
      for (const tile of chunk) expect(frames.get(tile.path), tile.path).toEqual(tile.bytes);
    }
    // The batch was served from the companion's cache: no second upstream read.
    expect(stats.dataset(name).sourceReads).toBe(readsAfterSingles);
  });

  it('answers an unknown dataset 404, saying where it looked and what to do', async () => {
    const response = await companion.app.request('/api/tiles/collections/nope/info');
    expect(response.status).toBe(404);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('NOT_FOUND');
    expect(body.error.message).toContain('collections/nope.dzi');
    expect(body.error.message).toContain('tile-accelerator describe collections/nope');
  });

  it('serves a nested name whose slash the page percent-encoded', async () => {
    const response = await companion.app.request('/api/tiles/collections%2Fcase-1/info');
    expect(response.status).toBe(200);
    expect(((await response.json()) as DatasetInfo).layout).toBe('dzi');
  });

  it('refuses traversal in nested names', async () => {
    // (`..` and `%2e%2e` segments are resolved by URL parsing before any router sees them; these reach us.)
    for (const path of ['/api/tiles/a%2F..%2Fb/info', '/api/tiles/..%2Fetc/info', '/api/tiles/a/..%5Cb/1/0/0.jpg', '/api/tiles/a/.../info']) {
      const response = await companion.app.request(path);
      expect(response.status, path).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('BAD_TILE_KEY');
    }
  });

  it('refuses a tile outside the geometry of a non-own layout', async () => {
    const response = await companion.app.request('/api/tiles/zoomify/2/9/0.jpg');
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('level 2 has x 0-3, y 0-2');
  });
});

import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BATCH_CONTENT_TYPE, readBatchStream } from '../shared/batch-protocol.ts';
import { fromBase64 } from '../shared/base64.ts';
import { createApp } from './app.ts';
import { LocalFolderSource } from './sources/local-folder.ts';
import { imageEnvelope } from '../shared/testing/image-envelope.ts';

const info = { width: 600, height: 300, tileSize: 256, overlap: 0, minLevel: 0, maxLevel: 2, format: 'jpg', version: 'v1' };
const tileBytes = imageEnvelope('jpeg', new Uint8Array([1, 2, 3]));
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tiles-'));
  await mkdir(join(root, 'demo/2/1'), { recursive: true });
  await writeFile(join(root, 'demo/info.json'), JSON.stringify(info));
  await writeFile(join(root, 'demo/2/1/0.jpg'), tileBytes);
  await writeFile(join(root, 'secret.jpg'), 'outside any dataset');
});

const app = () => createApp({ source: new LocalFolderSource(root) });

async function errorCode(response: Response): Promise<string> {
  return ((await response.json()) as { error: { code: string } }).error.code;
}

describe('companion app (local folder)', () => {
  it('serves info and tiles with validators, and answers 304 to a matching If-None-Match', async () => {
    const { app: a, stats } = app();
    const infoResponse = await a.request('/api/tiles/demo/info');
    expect(infoResponse.status).toBe(200);
    expect(await infoResponse.json()).toEqual({ ...info, layout: 'own', rounding: 'ceil' });

    const response = await a.request('/api/tiles/demo/2/1/0.jpg');
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toBe('image/jpeg');
    expect(response.headers.get('Cache-Control')).toMatch(/max-age=\d+/);
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(tileBytes);
    const etag = response.headers.get('ETag')!;
    expect(etag).toMatch(/^".+"$/);

    const again = await a.request('/api/tiles/demo/2/1/0.jpg', { headers: { 'If-None-Match': etag } });
    expect(again.status).toBe(304);
    expect(stats.dataset('demo')).toMatchObject({ tileRequests: 2, notModified: 1, infoRequests: 1 });
  });

  it.each([
    ['/api/tiles/bad..name/2/1/0.jpg', 400, 'BAD_TILE_KEY'],
    ['/api/tiles/demo/-1/1/0.jpg', 400, 'BAD_TILE_KEY'],
    ['/api/tiles/demo/2/x/0.jpg', 400, 'BAD_TILE_KEY'],
    ['/api/tiles/demo/2/1/0.gif', 400, 'BAD_TILE_KEY'],
    ['/api/tiles/demo/2/1/0.5.jpg', 400, 'BAD_TILE_KEY'],
    ['/api/tiles/demo/2/1/1.jpg', 404, 'NOT_FOUND'],
    ['/api/tiles/nothing/2/1/0.jpg', 404, 'NOT_FOUND'],
    ['/api/tiles/nothing/info', 404, 'NOT_FOUND'],
    ['/api/tiles/%2E%2E/secret.jpg', 404, 'NOT_FOUND'],
    ['/api/tiles/demo/..%2F..%2Fsecret/0/0.jpg', 400, 'BAD_TILE_KEY'],
    ['/api/nothing-here', 404, 'NOT_FOUND'],
  ])('%s -> %i %s', async (path, status, code) => {
    const response = await app().app.request(path);
    expect(response.status).toBe(status);
    expect(await errorCode(response)).toBe(code);
  });

  it('answers a batch as base64 JSON and as a binary stream, with null/404 for absent tiles', async () => {
    const { app: a } = app();
    const json = await a.request('/api/tiles/demo/batch?tiles=2/1/0.jpg&tiles=2/0/0.jpg&tiles=2/1/0.jpg');
    expect(json.status).toBe(200);
    const body = (await json.json()) as { tiles: Record<string, string | null> };
    expect(Object.keys(body.tiles).sort()).toEqual(['2/0/0.jpg', '2/1/0.jpg']);
    expect(fromBase64(body.tiles['2/1/0.jpg']!)).toEqual(tileBytes);
    expect(body.tiles['2/0/0.jpg']).toBeNull();

    const binary = await a.request('/api/tiles/demo/batch', {
      method: 'POST',
      headers: { Accept: BATCH_CONTENT_TYPE, 'Content-Type': 'application/json' },
      body: JSON.stringify({ tiles: ['2/1/0.jpg', '2/0/0.jpg'] }),
    });
    expect(binary.headers.get('Content-Type')).toBe(BATCH_CONTENT_TYPE);
    const frames = new Map<string, { status: number; body: Uint8Array }>();
    for await (const frame of readBatchStream(binary.body!)) frames.set(frame.key, frame);
    expect(frames.get('2/1/0.jpg')).toMatchObject({ status: 200, body: tileBytes });
    expect(frames.get('2/0/0.jpg')?.status).toBe(404);
  });

  it('refuses batches that are empty, too large or malformed', async () => {
    const { app: a } = app();
    const tooMany = Array.from({ length: 101 }, (_, i) => `tiles=2/${i}/0.jpg`).join('&');
    expect(await errorCode(await a.request(`/api/tiles/demo/batch?${tooMany}`))).toBe('TOO_MANY_TILES');
    expect(await errorCode(await a.request('/api/tiles/demo/batch'))).toBe('BAD_REQUEST');
    expect(await errorCode(await a.request('/api/tiles/demo/batch?tiles=../x.jpg'))).toBe('BAD_TILE_KEY');
    const notJson = await a.request('/api/tiles/demo/batch', { method: 'POST', body: 'tiles please' });
    expect(notJson.status).toBe(400);
    const huge = await a.request('/api/tiles/demo/batch', { method: 'POST', body: 'x'.repeat(20_000) });
    expect(huge.status).toBe(413);
  });

  it('answers HEAD like GET on the tile API, and other methods 404', async () => {
    const { app: a } = app();
    const head = await a.request('/api/tiles/demo/2/1/0.jpg', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('Content-Type')).toBe('image/jpeg');
    expect((await a.request('/api/tiles/demo/info', { method: 'PUT' })).status).toBe(404);
  });
});

/**
 * Auth, validation and the request log through `app.request()`: every tile
 * endpoint shares one token check, bounds come from info.json, and nothing a
 * client sends makes the server read outside the dataset or buffer without bound.
 */
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BATCH_CONTENT_TYPE } from '../shared/batch-protocol.ts';
import { toBase64 } from '../shared/base64.ts';
import { createApp, type AppOptions } from './app.ts';
import type { RequestLogLine } from './request-log.ts';
import { LocalFolderSource } from './sources/local-folder.ts';
import { imageEnvelope } from '../shared/testing/image-envelope.ts';

const AUTH = 'reader-token-0123456789';
const ADMIN = 'admin-token-0123456789';
let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tiles-guard-'));
  await mkdir(join(root, 'demo/1/0'), { recursive: true });
  // 600 x 300 at level 1 of 1: 3 x 2 tiles of 256.
  const info = { width: 600, height: 300, tileSize: 256, overlap: 0, minLevel: 0, maxLevel: 1, format: 'jpg', version: 'v1' };
  await writeFile(join(root, 'demo/info.json'), JSON.stringify(info));
  await writeFile(join(root, 'demo/1/0/0.jpg'), imageEnvelope('jpeg', new Uint8Array([1, 2, 3])));
});

const make = (options: Partial<AppOptions> = {}) => createApp({ source: new LocalFolderSource(root), ...options });

async function code(response: Response): Promise<string> {
  return ((await response.json()) as { error: { code: string } }).error.code;
}

const endpoints: Array<[string, RequestInit?]> = [
  ['/api/tiles/demo/1/0/0.jpg'],
  ['/api/tiles/demo/info'],
  ['/api/tiles/demo/cache-stats'],
  ['/api/tiles/demo/batch?tiles=1/0/0.jpg'],
  ['/api/tiles/demo/batch?tiles=1/0/0.jpg', { headers: { Accept: BATCH_CONTENT_TYPE } }],
  ['/api/tiles/demo/batch', { method: 'POST', body: JSON.stringify({ tiles: ['1/0/0.jpg'] }) }],
  ['/api/tiles/demo/cache-clear', { method: 'POST' }],
];

describe('auth', () => {
  it.each(endpoints)('%s needs the token when AUTH_TOKEN is set (401 none, 403 wrong, 200 Bearer or cookie)', async (path, init) => {
    const { app } = make({ authToken: AUTH });
    const withHeaders = (headers: Record<string, string>) => ({ ...init, headers: { ...(init?.headers as Record<string, string>), ...headers } });
    const none = await app.request(path, init);
    expect(none.status).toBe(401);
    expect(await code(none)).toBe('UNAUTHORIZED');
    const wrong = await app.request(path, withHeaders({ Authorization: 'Bearer not-the-token-at-all' }));
    expect(wrong.status).toBe(403);
    expect(await code(wrong)).toBe('FORBIDDEN');
    expect((await app.request(path, withHeaders({ Authorization: `Bearer ${AUTH}` }))).status).toBe(200);
    expect((await app.request(path, withHeaders({ Cookie: `other=1; tile_token=${AUTH}` }))).status).toBe(200);
  });

  it('answers a malformed cookie with 403, not a crash', async () => {
    const { app } = make({ authToken: AUTH });
    expect((await app.request('/api/tiles/demo/info', { headers: { Cookie: 'tile_token=%E0%A4%A' } })).status).toBe(403);
  });

  it('reads nothing upstream for a refused request', async () => {
    const { app, stats } = make({ authToken: AUTH });
    await app.request('/api/tiles/demo/batch?tiles=1/0/0.jpg');
    expect(stats.overall()).toMatchObject({ sourceReads: 0, batchRequests: 0 });
  });

  it('cache-clear needs the admin token when one is set; the reader token is not enough', async () => {
    const { app, service } = make({ authToken: AUTH, adminToken: ADMIN });
    const bearer = (t: string) => ({ method: 'POST', headers: { Authorization: `Bearer ${t}` } });
    await app.request('/api/tiles/demo/1/0/0.jpg', { headers: { Authorization: `Bearer ${AUTH}` } });
    expect(service.cacheReport('demo').entries).toBe(1);
    const reader = await app.request('/api/tiles/demo/cache-clear', bearer(AUTH));
    expect(reader.status).toBe(403);
    expect(service.cacheReport('demo').entries).toBe(1);
    const admin = await app.request('/api/tiles/demo/cache-clear', bearer(ADMIN));
    expect(await admin.json()).toEqual({ dataset: 'demo', removed: 1 });
    expect(service.cacheReport('demo').entries).toBe(0);
  });
});

describe('validation', () => {
  it.each([
    ['/api/tiles/demo/2/0/0.jpg', 'level 2 is outside'],
    ['/api/tiles/demo/1/3/0.jpg', 'x 0-2, y 0-1'],
    ['/api/tiles/demo/1/0/2.jpg', 'x 0-2, y 0-1'],
  ])('%s is outside the bounds from info.json: 400, no source read', async (path, message) => {
    const { app, stats } = make();
    const response = await app.request(path);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain(message);
    expect(stats.dataset('demo')).toMatchObject({ outOfBounds: 1, sourceReads: 0 });
  });

  it('an out-of-bounds tile in a batch is that tile\'s failure, not the batch\'s', async () => {
    const { app } = make();
    const response = await app.request('/api/tiles/demo/batch?tiles=1/0/0.jpg&tiles=1/9/9.jpg');
    expect(response.status).toBe(200);
    const { tiles } = (await response.json()) as { tiles: Record<string, string | null> };
    expect(tiles['1/9/9.jpg']).toBeNull();
    expect(tiles['1/0/0.jpg']).toBe(toBase64(imageEnvelope('jpeg', new Uint8Array([1, 2, 3]))));
  });

  it('duplicates collapse; an oversized URL is 413; a chunked body past the limit is 413', async () => {
    const { app, stats } = make();
    const same = Array.from({ length: 150 }, () => 'tiles=1/0/0.jpg').join('&');
    expect((await app.request(`/api/tiles/demo/batch?${same}`)).status).toBe(200);
    expect(stats.dataset('demo').batchTiles).toBe(1);

    const long = `/api/tiles/demo/batch?${'tiles=1/0/0.jpg&'.repeat(600)}`;
    const tooLong = await app.request(long);
    expect(tooLong.status).toBe(413);
    expect(await code(tooLong)).toBe('PAYLOAD_TOO_LARGE');

    // No Content-Length: the limit must hold while streaming, not after buffering it all.
    let sent = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > 1_000_000) return controller.close();
        sent += 4096;
        controller.enqueue(new Uint8Array(4096).fill(32));
      },
    });
    const chunked = await app.request('/api/tiles/demo/batch', { method: 'POST', body: endless, duplex: 'half' } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(sent).toBeLessThan(1_000_000);
  });
});

describe('CORS', () => {
  it('answers preflights for listed origins only, before auth, and exposes the tile headers', async () => {
    const { app } = make({ authToken: AUTH, corsOrigins: ['https://viewer.example'] });
    const preflight = (origin: string) =>
      app.request('/api/tiles/demo/batch', {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization' },
      });
    const allowed = await preflight('https://viewer.example');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('Access-Control-Allow-Origin')).toBe('https://viewer.example');
    expect((await preflight('https://evil.example')).headers.get('Access-Control-Allow-Origin')).toBeNull();
    const tile = await app.request('/api/tiles/demo/1/0/0.jpg', {
      headers: { Origin: 'https://viewer.example', Authorization: `Bearer ${AUTH}` },
    });
    expect(tile.headers.get('Access-Control-Expose-Headers')).toContain('X-Tile-Format');
  });

  it('sends no CORS headers when no origins are configured', async () => {
    const response = await make().app.request('/api/tiles/demo/info', { headers: { Origin: 'https://viewer.example' } });
    expect(response.headers.get('Access-Control-Allow-Origin')).toBeNull();
  });
});

describe('request log', () => {
  it('writes one line per request with method, path, status and tile count', async () => {
    const lines: RequestLogLine[] = [];
    const { app } = make({ log: (line) => lines.push(line) });
    await app.request('/api/tiles/demo/batch?tiles=1/0/0.jpg&tiles=1/1/0.jpg');
    await app.request('/api/tiles/demo/1/0/0.jpg');
    await app.request('/api/tiles/demo/7/0/0.jpg');
    expect(lines.map(({ ms, ...rest }) => rest)).toEqual([
      { method: 'GET', path: '/api/tiles/demo/batch', status: 200, tiles: 2 },
      { method: 'GET', path: '/api/tiles/demo/1/0/0.jpg', status: 200, tiles: 1 },
      { method: 'GET', path: '/api/tiles/demo/7/0/0.jpg', status: 400, tiles: 1 },
    ]);
    expect(lines.every((l) => typeof l.ms === 'number')).toBe(true);
  });
});

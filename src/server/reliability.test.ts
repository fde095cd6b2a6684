/**
 * The companion's own guards, through `app.request()`: a tile whose frame
 * cannot be encoded fails alone; past the caps the answer is 503 OVERLOADED
 * with Retry-After; batch answers are produced only as fast as they are read;
 * protected tiles are private to the browser.
 */
import { describe, expect, it } from 'vitest';
import { BATCH_CONTENT_TYPE, readBatchStream } from '../shared/batch-protocol.ts';
import type { DatasetInfo } from '../shared/dataset-info.ts';
import type { TileKey } from '../shared/tile-key.ts';
import { imageEnvelope } from '../shared/testing/image-envelope.ts';
import { createApp } from './app.ts';
import { sameToken } from './auth.ts';
import { batchStream } from './routes/batch-stream.ts';
import type { ServedTile, TileService } from './tile-service.ts';
import type { ObjectSource, TileBody } from './object-source.ts';

const info: DatasetInfo = { width: 4096, height: 4096, tileSize: 256, overlap: 0, minLevel: 0, maxLevel: 4, format: 'jpg', version: 'v1' };
const bytesOf = (key: TileKey) => imageEnvelope('jpeg', new TextEncoder().encode(`${key.z}/${key.x}/${key.y}`));

/** Dataset `d` in the own layout: its info.json, and every tile answered by `tile`. */
function source(tile: (key: TileKey) => Promise<TileBody | null> | TileBody | null = (key) => ({ bytes: bytesOf(key), contentType: 'image/jpeg', etag: `"${key.x}"` })): ObjectSource {
  return {
    kind: 'test',
    getObject: async (objectKey) => {
      if (objectKey === 'd/info.json') return { bytes: new TextEncoder().encode(JSON.stringify(info)), contentType: 'application/json', etag: '"info"' };
      const match = /^d\/(\d+)\/(\d+)\/(\d+)\.(jpg)$/.exec(objectKey);
      if (!match) return null;
      return tile({ dataset: 'd', z: Number(match[1]), x: Number(match[2]), y: Number(match[3]), ext: 'jpg' });
    },
  };
}

describe('batch frames', () => {
  it('a tile whose metadata does not fit a frame gets an error frame; the others and the end frame still come', async () => {
    const { app } = createApp({
      source: source((key) => ({ bytes: bytesOf(key), contentType: 'image/jpeg', etag: key.x === 1 ? `"${'x'.repeat(300)}"` : `"${key.x}"` })),
    });
    const response = await app.request('/api/tiles/d/batch?tiles=4/0/0.jpg&tiles=4/1/0.jpg&tiles=4/2/0.jpg', { headers: { Accept: BATCH_CONTENT_TYPE } });
    const frames = new Map<string, number>();
    for await (const frame of readBatchStream(response.body!)) frames.set(frame.key, frame.status); // throws without the end frame
    expect(Object.fromEntries(frames)).toEqual({ '4/0/0.jpg': 200, '4/1/0.jpg': 502, '4/2/0.jpg': 200 });
  });
});

describe('admission', () => {
  it('answers 503 OVERLOADED with Retry-After past the concurrent request cap, and serves again after', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const { app, admission } = createApp({
      source: source(async (key) => {
        await gate;
        return { bytes: bytesOf(key), contentType: 'image/jpeg', etag: '"1"' };
      }),
      maxConcurrentRequests: 1,
    });
    const first = app.request('/api/tiles/d/4/0/0.jpg');
    await new Promise((resolve) => setTimeout(resolve, 10));
    const refused = await app.request('/api/tiles/d/4/1/0.jpg');
    expect(refused.status).toBe(503);
    expect(refused.headers.get('Retry-After')).toBe('1');
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('OVERLOADED');
    expect((await app.request('/api/tiles/d/cache-stats')).status).toBe(200); // stats are never refused
    open();
    expect((await first).status).toBe(200);
    expect((await app.request('/api/tiles/d/4/1/0.jpg')).status).toBe(200);
    expect(admission.report()).toMatchObject({ activeRequests: 0, rejected: 1 });
  });

  it('answers 503 OVERLOADED with Retry-After while the event loop lags past its cap, stats excepted', async () => {
    let lag = 150;
    const { app, admission } = createApp({ source: source(), loopLagMs: () => lag, maxLoopLagMs: 100 });
    const refused = await app.request('/api/tiles/d/batch?tiles=4/0/0.jpg', { headers: { Accept: BATCH_CONTENT_TYPE } });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('Retry-After')).toBe('1');
    expect((await app.request('/api/tiles/d/4/0/0.jpg')).status).toBe(503);
    expect((await app.request('/api/tiles/d/cache-stats')).status).toBe(200);
    lag = 100; // at the cap, not past it
    expect((await app.request('/api/tiles/d/4/0/0.jpg')).status).toBe(200);
    expect(admission.report()).toMatchObject({ loopLagMs: 100, maxLoopLagMs: 100, rejected: 2, rejectedForLag: 2, openStreams: 0 });
  });

  it('caps open batch streams, and frees a slot when a stream is read to the end or cancelled', async () => {
    const { app, admission } = createApp({ source: source(), maxOpenBatchStreams: 1 });
    const first = await app.request('/api/tiles/d/batch?tiles=4/0/0.jpg', { headers: { Accept: BATCH_CONTENT_TYPE } });
    expect(admission.report().openStreams).toBe(1);
    expect((await app.request('/api/tiles/d/batch?tiles=4/0/0.jpg')).status).toBe(503);
    await first.body!.cancel();
    expect(admission.report().openStreams).toBe(0);
    const json = await app.request('/api/tiles/d/batch?tiles=4/0/0.jpg');
    expect(await json.json()).toEqual({ tiles: { '4/0/0.jpg': expect.any(String) } });
    expect(admission.report().openStreams).toBe(0);
  });

  it('refuses a tile miss past the cap of upstream reads, and counts it', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const { app, stats } = createApp({
      source: source(async (key) => {
        await gate;
        return { bytes: bytesOf(key), contentType: 'image/jpeg', etag: '"1"' };
      }),
      maxUpstreamReads: 2,
    });
    const response = app.request('/api/tiles/d/batch?tiles=4/0/0.jpg&tiles=4/1/0.jpg&tiles=4/2/0.jpg', { headers: { Accept: BATCH_CONTENT_TYPE } });
    await new Promise((resolve) => setTimeout(resolve, 10));
    open();
    const statuses: number[] = [];
    for await (const frame of readBatchStream((await response).body!)) statuses.push(frame.status);
    expect(statuses.sort()).toEqual([200, 200, 503]);
    expect(stats.dataset('d').overloaded).toBe(1);
  });
});

describe('batch stream backpressure', () => {
  it('encodes a tile only when the reader has taken the previous bytes', async () => {
    const keys: TileKey[] = Array.from({ length: 50 }, (_, x) => ({ dataset: 'd', z: 4, x, y: 0, ext: 'jpg' }));
    const tile: ServedTile = { bytes: new Uint8Array(1000), contentType: 'image/jpeg', etag: '"1"', format: 'jpg' };
    const service = { tile: async () => tile } as unknown as TileService;
    let encoded = 0;
    let closed = 0;
    const stream = batchStream(service, keys, {
      head: new Uint8Array([1]),
      encode: () => {
        encoded += 1;
        return new Uint8Array(1000);
      },
      onEncodeError: () => new Uint8Array(0),
      tail: new Uint8Array([2]),
      onClose: () => void (closed += 1),
    });
    const reader = stream.getReader();
    await reader.read(); // head
    await reader.read(); // first tile
    await new Promise((resolve) => setTimeout(resolve, 20)); // every read has settled by now
    expect(encoded).toBe(1);
    await reader.cancel();
    expect(closed).toBe(1);
  });
});

describe('protected tiles', () => {
  it('are Cache-Control private with Vary: Authorization, Cookie when AUTH_TOKEN is set; public otherwise', async () => {
    const guarded = createApp({ source: source(), authToken: 'secret-token' }).app;
    const tile = await guarded.request('/api/tiles/d/4/0/0.jpg', { headers: { Authorization: 'Bearer secret-token' } });
    expect(tile.status).toBe(200);
    expect(tile.headers.get('Cache-Control')).toMatch(/^private, max-age=\d+$/);
    expect(tile.headers.get('Vary')).toBe('Authorization, Cookie');
    const info = await guarded.request('/api/tiles/d/info', { headers: { Authorization: 'Bearer secret-token' } });
    expect(info.headers.get('Cache-Control')).toBe('private, no-cache');
    const open = await createApp({ source: source() }).app.request('/api/tiles/d/4/0/0.jpg');
    expect(open.headers.get('Cache-Control')).toMatch(/^public/);
    expect(open.headers.get('Vary')).toBeNull();
  });

  it('compares tokens by digest: equal only when equal, whatever the lengths', async () => {
    expect(await sameToken('secret-token', 'secret-token')).toBe(true);
    expect(await sameToken('secret-token', 'secret-tokex')).toBe(false);
    expect(await sameToken('secret-token', 'secret-token-and-more')).toBe(false);
    expect(await sameToken('', 'x')).toBe(false);
  });
});

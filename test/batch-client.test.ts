/**
 * The worker's batch client against the real companion app (its `fetch`, no
 * socket): one batch per burst, answers as each frame lands, joins, aborts
 * and failure. Counts are the companion's own.
 */
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/server/app.ts';
import type { TileSource } from '../src/server/tile-source.ts';
import type { DatasetInfo } from '../src/shared/dataset-info.ts';
import { BatchClient, BatchFailedError, type BatchTarget } from '../src/sw/batch-client.ts';
import { identify, type TileIdentity } from '../src/sw/tile-identity.ts';

const info: DatasetInfo = { width: 4096, height: 4096, tileSize: 256, overlap: 0, minLevel: 0, maxLevel: 4, format: 'jpg', version: 'v1' };
const ORIGIN = 'http://companion.test';

function gatedSource(gated: (x: number) => Promise<void> | undefined): TileSource {
  return {
    kind: 'gated',
    getInfo: async () => info,
    getTile: async (key) => {
      await gated(key.x);
      return { bytes: new TextEncoder().encode(`tile ${key.z}/${key.x}/${key.y}`) as Uint8Array<ArrayBuffer>, contentType: 'image/jpeg', etag: `"${key.x}"` };
    },
  };
}

const target: BatchTarget = { url: `${ORIGIN}/api/tiles/d/batch`, headers: [], credentials: 'same-origin' };

/** `4/0/0.jpg` of dataset d, as the worker's route would parse it. */
function tile(coord: string): TileIdentity {
  const [level, x, y] = coord.replace(/\.jpg$/, '').split('/').map(Number) as [number, number, number];
  return identify({ source: 'd', level, x, y, ext: 'jpg', url: `${ORIGIN}/api/tiles/d/${coord}` }, 'v1');
}

function clientFor(fetch: (request: Request) => Promise<Response>, stored: string[][] = []) {
  return new BatchClient({
    fetch,
    window: { quietMs: 1, maxWaitMs: 30, maxTiles: 100 },
    maxConcurrent: 4,
    maxPending: 1000,
    backoffMs: 60_000,
    stallMs: 10_000,
    hooks: { batchDidComplete: async (arrived) => void stored.push(arrived.map(({ id, frame }) => `${frame.key} as ${id.key}`)) },
  });
}

describe('BatchClient against the companion', () => {
  it('answers each tile as its frame arrives, before the batch ends', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const { app, stats } = createApp({ source: gatedSource((x) => (x === 1 ? gate : undefined)) });
    const stored: string[][] = [];
    const client = clientFor((r) => Promise.resolve(app.fetch(r)), stored);
    const fast = client.request(tile('4/0/0.jpg'), target);
    const slow = client.request(tile('4/1/0.jpg'), target);
    let slowDone = false;
    void slow.then(() => (slowDone = true));

    const first = await fast;
    expect(new TextDecoder().decode(first.frame.body)).toBe('tile 4/0/0');
    expect(slowDone).toBe(false);
    expect(stored).toEqual([]); // the batch has not ended yet
    open();
    expect((await slow).frame.status).toBe(200);
    await first.done;
    expect(stored).toEqual([['4/0/0.jpg as d@v1/4/0/0', '4/1/0.jpg as d@v1/4/1/0']]);
    expect(stats.dataset('d')).toMatchObject({ batchRequests: 1, batchTiles: 2, tileRequests: 0 });
  });

  it('coalesces a burst into one batch, joins repeats and leaves out aborted tiles', async () => {
    const { app, stats } = createApp({ source: gatedSource(() => undefined) });
    const client = clientFor((r) => Promise.resolve(app.fetch(r)));
    const gone = new AbortController();
    const aborted = client.request(tile('4/9/9.jpg'), target, { signal: gone.signal });
    const answers = Array.from({ length: 30 }, (_, i) => client.request(tile(`4/${i % 15}/1.jpg`), target));
    gone.abort();
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
    const frames = await Promise.all(answers);
    expect(frames.every((a) => a.frame.status === 200)).toBe(true);
    expect(stats.dataset('d')).toMatchObject({ batchRequests: 1, batchTiles: 15 });
  });

  it('rejects with BatchFailedError when the endpoint fails, and backs off', async () => {
    let calls = 0;
    const client = clientFor(async () => {
      calls += 1;
      return Response.json({ error: { code: 'UPSTREAM_ERROR', message: 'down' } }, { status: 503 });
    });
    const outcomes = await Promise.allSettled([client.request(tile('4/0/0.jpg'), target), client.request(tile('4/0/1.jpg'), target)]);
    expect(outcomes.every((o) => o.status === 'rejected' && o.reason instanceof BatchFailedError)).toBe(true);
    expect(client.available).toBe(false);
    expect(calls).toBe(1);
  });

  it('drops pending tiles by identity and names them by the whole URL the page asked for, query string included', async () => {
    const { app, stats } = createApp({ source: gatedSource(() => undefined) });
    const client = clientFor((r) => Promise.resolve(app.fetch(r)));
    const signed = { ...tile('4/2/2.jpg'), url: `${ORIGIN}/api/tiles/d/4/2/2.jpg?pane=p1&sig=abc` };
    const waiting = client.request(signed, target);
    const kept = client.request(tile('4/3/3.jpg'), target);
    const dropped = client.drop((_queued, id) => id.x === 2);
    expect(dropped.map((id) => id.url)).toEqual([`${ORIGIN}/api/tiles/d/4/2/2.jpg?pane=p1&sig=abc`]);
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    expect((await kept).frame.status).toBe(200);
    expect(stats.dataset('d')).toMatchObject({ batchRequests: 1, batchTiles: 1 });
  });
});

/**
 * The Node server's deliberate timeouts, on a real socket: a client that
 * sends its body too slowly is cut off, and a client that stops reading a
 * batch answer loses its socket, which ends the stream and frees its slot.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BATCH_CONTENT_TYPE } from '../src/shared/batch-protocol.ts';
import type { DatasetInfo } from '../src/shared/dataset-info.ts';
import { startCompanion, type RunningCompanion } from '../src/server/node-server.ts';
import type { ObjectSource } from '../src/server/object-source.ts';
import { imageEnvelope } from '../src/shared/testing/image-envelope.ts';

const info: DatasetInfo = { width: 4096, height: 4096, tileSize: 256, overlap: 0, minLevel: 0, maxLevel: 4, format: 'jpg', version: 'v1' };
const big = imageEnvelope('jpeg', new Uint8Array(1024 * 1024).fill(7)); // shared by every tile: 1 MiB each on the wire
const source: ObjectSource = {
  kind: 'test',
  getObject: async (key) =>
    key.endsWith('/info.json')
      ? { bytes: new TextEncoder().encode(JSON.stringify(info)), contentType: 'application/json', etag: '"info"' }
      : { bytes: big, contentType: 'image/jpeg', etag: '"big"' },
};

let opened: Array<RunningCompanion | Socket> = [];
afterEach(async () => {
  for (const o of opened) if ('destroy' in o) o.destroy();
  await Promise.all(opened.filter((o): o is RunningCompanion => 'close' in o && 'url' in o).map((c) => c.close()));
  opened = [];
});

function raw(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => resolve(socket));
    socket.on('error', reject);
    opened.push(socket);
  });
}

const closed = (socket: Socket, withinMs: number) =>
  new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), withinMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });

describe('server timeouts', () => {
  it('cuts off a client that sends its request body too slowly', async () => {
    const c = await startCompanion({ source, timeouts: { requestTimeoutMs: 500, headersTimeoutMs: 500 } });
    opened.push(c);
    const socket = await raw(c.url);
    socket.on('error', () => undefined);
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.write('POST /api/tiles/d/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"til');
    expect(await closed(socket, 10_000)).toBe(true);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });

  it('closes the socket of a client that stopped reading a batch, ending its stream', async () => {
    const c = await startCompanion({ source, timeouts: { socketIdleTimeoutMs: 500 } });
    opened.push(c);
    const socket = await raw(c.url);
    socket.on('error', () => undefined);
    const tiles = Array.from({ length: 100 }, (_, i) => `tiles=4/${i % 16}/${Math.floor(i / 16)}.jpg`).join('&');
    socket.write(`GET /api/tiles/d/batch?${tiles} HTTP/1.1\r\nHost: x\r\nAccept: ${BATCH_CONTENT_TYPE}\r\n\r\n`);
    socket.pause(); // and never read: 100 MiB cannot fit in the socket buffers
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(c.admission.report().openStreams).toBe(1);
    // (A paused client socket never sees the close; the server's side is what matters.)
    for (let i = 0; i < 200 && c.admission.report().openStreams > 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(c.admission.report().openStreams).toBe(0);
  });
});

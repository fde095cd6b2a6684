import { describe, expect, it } from 'vitest';
import { BatchDecoder, BATCH_MAGIC, encodeEnd, encodeFrame, encodeFrameHead, readBatchStream, type BatchFrame } from './batch-protocol.ts';

const frames: BatchFrame[] = [
  { key: '3/1/2.jpg', status: 200, contentType: 'image/jpeg', etag: '"abc"', body: new Uint8Array([1, 2, 3, 255]) },
  { key: '3/1/3.jpg', status: 404, contentType: 'application/json', etag: '', body: new TextEncoder().encode('{}') },
  { key: '3/1/4.png', status: 200, contentType: 'image/png', etag: '"é"', body: new Uint8Array(70_000).fill(7) },
];

function wire(list: BatchFrame[], end = true): Uint8Array {
  const parts = [BATCH_MAGIC, ...list.map(encodeFrame), ...(end ? [encodeEnd()] : [])];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function streamOf(bytes: Uint8Array, chunk: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + chunk));
      at += chunk;
    },
  });
}

describe('batch protocol', () => {
  it.each([1, 7, 1000, 1 << 20])('round-trips frames split into %i-byte chunks', async (chunk) => {
    const got: BatchFrame[] = [];
    for await (const frame of readBatchStream(streamOf(wire(frames), chunk))) got.push(frame);
    expect(got).toEqual(frames);
  });

  it('round-trips a long stream whose receive buffer is reused many times', async () => {
    // 60 frames of distinct bytes through chunks that never line up with them.
    const many = Array.from({ length: 60 }, (_, i): BatchFrame => ({ key: `9/${i}/0.jpg`, status: 200, contentType: 'image/jpeg', etag: '', body: new Uint8Array(3000 + i * 37).map((_, j) => (i * 31 + j) % 251) }));
    const got: BatchFrame[] = [];
    for await (const frame of readBatchStream(streamOf(wire(many), 4093))) got.push(frame);
    expect(got).toEqual(many);
  });

  it('a frame head followed by its body is the whole frame', () => {
    for (const frame of frames) {
      const head = encodeFrameHead(frame, frame.body.length);
      expect(new Uint8Array([...head, ...frame.body])).toEqual(encodeFrame(frame));
    }
  });

  it('hands out each frame as soon as its bytes are complete', () => {
    const bytes = wire(frames);
    const decoder = new BatchDecoder();
    const firstEnd = BATCH_MAGIC.length + encodeFrame(frames[0]!).length;
    expect(decoder.push(bytes.subarray(0, firstEnd - 1))).toEqual([]);
    expect(decoder.push(bytes.subarray(firstEnd - 1, firstEnd))).toEqual([frames[0]]);
  });

  it('rejects a stream cut short, a wrong header and trailing bytes', async () => {
    await expect(async () => {
      for await (const _ of readBatchStream(streamOf(wire(frames, false), 100))) void _;
    }).rejects.toThrow(/before its end frame/);
    expect(() => new BatchDecoder().push(new TextEncoder().encode('<html>'))).toThrow(/TAB1/);
    const trailing = new Uint8Array([...wire([]), 1]);
    expect(() => new BatchDecoder().push(trailing)).toThrow(/after the end frame/);
  });
});

import { fromBase64, toBase64 } from './base64.ts';

describe('base64', () => {
  it('round-trips bytes of every value, across chunk boundaries', () => {
    const bytes = new Uint8Array(100_000).map((_, i) => (i * 7) % 256);
    const text = toBase64(bytes);
    expect(text.length).toBe(Math.ceil(bytes.length / 3) * 4);
    expect(fromBase64(text)).toEqual(bytes);
  });
});

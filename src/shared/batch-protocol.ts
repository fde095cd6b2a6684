/**
 * The binary batch format: tiles stream back one frame each, in the order
 * their upstream reads finish, so a client can hand out the first tile before
 * the slowest one lands. Base64 JSON costs a third more bytes and cannot be
 * read until the whole body is there; this format costs ~40 bytes a tile.
 *
 *   stream  := MAGIC frame* end
 *   MAGIC   := "TAB1"
 *   frame   := status:u16 keyLen:u8 key typeLen:u8 type etagLen:u8 etag bodyLen:u32 body
 *   end     := a frame with status 0, empty key and body (a stream without it was cut short)
 *
 * Integers are big-endian; strings are UTF-8. A tile that failed has its own
 * status (404, 502, 504) and a JSON error body; the batch itself still succeeds.
 */
import { TileError } from './errors.ts';

export const BATCH_CONTENT_TYPE = 'application/vnd.tile-accelerator.batch';

/**
 * The header (value `page`) that marks a batch as the page's own, sent by the
 * page's batch hooks (src/client/page-batch-request.ts): a worker answers it
 * from its tiers (src/sw/page-batch-route.ts); the companion ignores it.
 */
export const PAGE_BATCH_HEADER = 'X-Tile-Batch';
export const BATCH_MAGIC = new Uint8Array([0x54, 0x41, 0x42, 0x31]); // "TAB1"
export const MAX_BATCH_TILES = 100;

export interface BatchFrame {
  /** `z/x/y.ext` as requested. */
  key: string;
  status: number;
  contentType: string;
  etag: string;
  body: Uint8Array<ArrayBuffer>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const MAX_BODY = 64 * 1024 * 1024;

function shortString(value: string, what: string): Uint8Array {
  const bytes = encoder.encode(value);
  if (bytes.length > 255) throw new TileError('INTERNAL', `Batch frame ${what} longer than 255 bytes.`);
  return bytes;
}

export function encodeFrame(frame: BatchFrame): Uint8Array<ArrayBuffer> {
  const head = encodeFrameHead(frame, frame.body.length);
  const out = new Uint8Array(head.length + frame.body.length);
  out.set(head);
  out.set(frame.body, head.length);
  return out;
}

/**
 * A frame without its body: what goes before `bodyLength` bytes of body. A
 * writer that holds the body as a Blob sends `[head, blob]` without reading it.
 */
export function encodeFrameHead(frame: Omit<BatchFrame, 'body'>, bodyLength: number): Uint8Array<ArrayBuffer> {
  const key = shortString(frame.key, 'key');
  const type = shortString(frame.contentType, 'content type');
  const etag = shortString(frame.etag, 'etag');
  const out = new Uint8Array(2 + 1 + key.length + 1 + type.length + 1 + etag.length + 4);
  const view = new DataView(out.buffer);
  let at = 0;
  view.setUint16(at, frame.status);
  at += 2;
  for (const part of [key, type, etag]) {
    out[at] = part.length;
    out.set(part, at + 1);
    at += 1 + part.length;
  }
  view.setUint32(at, bodyLength);
  return out;
}

export function encodeEnd(): Uint8Array<ArrayBuffer> {
  return encodeFrame({ key: '', status: 0, contentType: '', etag: '', body: new Uint8Array(0) });
}

/**
 * Incremental decoder: push chunks as they arrive, get complete frames back.
 * Throws UPSTREAM_ERROR on anything malformed, so a caller can fall back.
 */
export class BatchDecoder {
  // A growable buffer: appends are amortised O(1), so a frame that arrives in
  // many small chunks is not copied once per chunk.
  #data: Uint8Array = new Uint8Array(0);
  #start = 0;
  #end = 0;
  #sawMagic = false;
  #ended = false;

  get ended(): boolean {
    return this.#ended;
  }

  push(chunk: Uint8Array): BatchFrame[] {
    if (this.#ended && chunk.length > 0) throw malformed('bytes after the end frame');
    this.#append(chunk);
    if (!this.#sawMagic) {
      if (this.#end - this.#start < BATCH_MAGIC.length) return [];
      if (!BATCH_MAGIC.every((b, i) => this.#data[this.#start + i] === b)) throw malformed('missing TAB1 header');
      this.#sawMagic = true;
      this.#start += BATCH_MAGIC.length;
    }
    const frames: BatchFrame[] = [];
    for (;;) {
      const frame = this.#next();
      if (!frame) break;
      if (frame.status === 0) {
        this.#ended = true;
        if (this.#end > this.#start) throw malformed('bytes after the end frame');
        break;
      }
      frames.push(frame);
    }
    return frames;
  }

  /** Call when the stream closes; throws if it stopped mid-frame or before the end frame. */
  finish(): void {
    if (!this.#ended) throw malformed('stream ended before its end frame');
  }

  #append(chunk: Uint8Array): void {
    const live = this.#end - this.#start;
    if (this.#end + chunk.length > this.#data.length) {
      // Reuse the buffer when the unread bytes and the chunk fit: growing on
      // every wrap would double it over a stream's whole length, not its largest frame.
      if (live + chunk.length <= this.#data.length) this.#data.copyWithin(0, this.#start, this.#end);
      else {
        const grown = new Uint8Array(Math.max(this.#data.length * 2, live + chunk.length, 4096));
        grown.set(this.#data.subarray(this.#start, this.#end));
        this.#data = grown;
      }
      this.#start = 0;
      this.#end = live;
    }
    this.#data.set(chunk, this.#end);
    this.#end += chunk.length;
  }

  #next(): BatchFrame | null {
    const buf = this.#data.subarray(this.#start, this.#end);
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    let at = 2;
    const strings: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      if (buf.length < at + 1) return null;
      const len = buf[at]!;
      if (buf.length < at + 1 + len) return null;
      strings.push(decoder.decode(buf.subarray(at + 1, at + 1 + len)));
      at += 1 + len;
    }
    if (buf.length < at + 4) return null;
    const bodyLength = view.getUint32(at);
    if (bodyLength > MAX_BODY) throw malformed(`frame of ${bodyLength} bytes`);
    at += 4;
    if (buf.length < at + bodyLength) return null;
    const [key, contentType, etag] = strings as [string, string, string];
    // Copy the body out: the receive buffer is reused.
    const frame = { status: view.getUint16(0), key, contentType, etag, body: buf.slice(at, at + bodyLength) };
    this.#start += at + bodyLength;
    return frame;
  }
}

/** Reads a whole batch stream, yielding each frame as soon as it is complete. */
export async function* readBatchStream(stream: ReadableStream<Uint8Array>): AsyncGenerator<BatchFrame> {
  const decoder = new BatchDecoder();
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      yield* decoder.push(value);
    }
    decoder.finish();
  } finally {
    reader.releaseLock();
  }
}

function malformed(what: string): TileError {
  return new TileError('UPSTREAM_ERROR', `Batch stream is malformed: ${what}.`);
}

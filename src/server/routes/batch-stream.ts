/**
 * A batch answer as a pull-based stream: every tile read starts at once (the
 * reads are shared with other requests and fill the cache), but a tile is
 * encoded only when the client has taken the previous bytes. A client that
 * stops reading therefore holds at most one encoded frame and the tiles it
 * is owed (the cache's own objects while they stay cached), never a pile of
 * copies. Frames go out in completion order; `tail` once every tile is out.
 * `encode` may throw for one tile: that tile gets `onEncodeError`'s bytes
 * instead, and the others and the tail are still written.
 */
import type { TileKey } from '../../shared/tile-key.ts';
import type { ServedTile, TileService } from '../tile-service.ts';

export interface BatchStreamParts {
  head: Uint8Array;
  encode: (key: TileKey, outcome: PromiseSettledResult<ServedTile>, index: number) => Uint8Array;
  onEncodeError: (key: TileKey, error: unknown, index: number) => Uint8Array;
  tail: Uint8Array;
  /** Called once when the stream ends for any reason (done, cancelled, failed). */
  onClose: () => void;
}

export function batchStream(service: TileService, keys: TileKey[], parts: BatchStreamParts): ReadableStream<Uint8Array> {
  const done: Array<{ key: TileKey; outcome: PromiseSettledResult<ServedTile> }> = [];
  let wake: (() => void) | null = null;
  for (const key of keys) {
    // Settled promises only: a failing tile becomes that tile's frame.
    void Promise.allSettled([service.tile(key)]).then(([outcome]) => {
      done.push({ key, outcome: outcome! });
      wake?.();
    });
  }
  let written = 0;
  let headSent = false;
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    parts.onClose();
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          await step(controller);
        } catch (error) {
          close();
          throw error;
        }
      },
      cancel() {
        close();
      },
    },
    { highWaterMark: 0 },
  );

  async function step(controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    if (!headSent) {
      headSent = true;
      controller.enqueue(parts.head);
      return;
    }
    if (written === keys.length) {
      controller.enqueue(parts.tail);
      controller.close();
      close();
      return;
    }
    while (done.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    wake = null;
    const { key, outcome } = done.shift()!;
    const index = written;
    written += 1;
    let bytes: Uint8Array;
    try {
      bytes = parts.encode(key, outcome, index);
    } catch (error) {
      bytes = parts.onEncodeError(key, error, index);
    }
    controller.enqueue(bytes);
  }
}

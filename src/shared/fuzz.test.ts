/**
 * Property-based fuzzing (fast-check) of everything that parses input from
 * outside: tile keys and URL paths, dataset info, and the binary batch
 * decoder. Whatever comes in, the only exception is a TileError with the
 * expected code, and every call returns (no hang on huge or cut inputs).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BATCH_MAGIC, BatchDecoder, encodeEnd, encodeFrame, type BatchFrame } from './batch-protocol.ts';
import { parseDatasetInfo } from './dataset-info.ts';
import { TileError } from './errors.ts';
import { TILE_EXTENSIONS, formatTileCoord, parseTileCoord, parseTileKey, type TileCoord } from './tile-key.ts';
import { isValidDatasetPath, matchTilePath } from './dataset-path.ts';

const RUNS = { numRuns: 500 };

/** Runs `fn`; passes if it returns, or throws a TileError with one of `codes`. */
function onlyTyped(fn: () => unknown, codes: readonly string[]): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(TileError);
    expect(codes).toContain((error as TileError).code);
  }
}

/** Strings a hostile client would send: unicode, separators, dots, %-escapes, digits. */
const hostile = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.stringMatching(/^[0-9./%a-z\\-]{0,40}$/),
  fc.array(fc.oneof(fc.constant('..'), fc.constant('%2F'), fc.constant('/'), fc.nat({ max: 2 ** 40 }).map(String), fc.constantFrom(...TILE_EXTENSIONS, 'gif', 'JPG', '')), { maxLength: 8 }).map((parts) => parts.join('')),
);

const coord = fc.record({
  z: fc.nat({ max: 999_999_999 }),
  x: fc.nat({ max: 999_999_999 }),
  y: fc.nat({ max: 999_999_999 }),
  ext: fc.constantFrom(...TILE_EXTENSIONS),
});

describe('tile keys and paths (fuzz)', () => {
  it('parseTileCoord / parseTileKey accept only what they can return, and throw only BAD_TILE_KEY', () => {
    fc.assert(
      fc.property(hostile, hostile, (dataset, path) => {
        onlyTyped(() => {
          const parsed = parseTileCoord(path);
          expect(parseTileCoord(formatTileCoord(parsed))).toEqual(parsed);
        }, ['BAD_TILE_KEY']);
        onlyTyped(() => parseTileKey(dataset, path), ['BAD_TILE_KEY']);
      }),
      RUNS,
    );
  });

  it('round-trips every valid coordinate', () => {
    fc.assert(fc.property(coord, (c: TileCoord) => {
          expect(parseTileCoord(formatTileCoord(c))).toEqual(c);
        }), RUNS);
  });

  it('matchTilePath never throws, and what it returns stays inside one dataset', () => {
    fc.assert(
      fc.property(hostile, (rest) => {
        const key = matchTilePath(`/api/tiles/${rest}`);
        if (key) {
          // Folders are allowed (`collections/case-1`), never a `.` or `..` one.
          expect(isValidDatasetPath(key.dataset)).toBe(true);
          expect(key.dataset.split('/')).not.toContain('..');
        }
      }),
      RUNS,
    );
  });

  it('answers a 100,000-character name at once', () => {
    const long = 'a'.repeat(100_000);
    onlyTyped(() => parseTileKey(long, '1/2/3.jpg'), ['BAD_TILE_KEY']);
    onlyTyped(() => parseTileCoord(`${'9'.repeat(100_000)}/1/1.jpg`), ['BAD_TILE_KEY']);
    expect(matchTilePath(`/api/tiles/${'%'.repeat(100_000)}/1/1/1.jpg`)).toBeNull();
  });
});

describe('dataset info (fuzz)', () => {
  it('parseDatasetInfo throws only typed errors, whatever the JSON', () => {
    fc.assert(fc.property(fc.jsonValue(), (json) => void onlyTyped(() => parseDatasetInfo(json, 'd'), ['UPSTREAM_ERROR', 'BAD_REQUEST', 'NOT_FOUND'])), RUNS);
  });
});

const shortText = fc.string({ maxLength: 60 });
const frame: fc.Arbitrary<BatchFrame> = fc.record({
  key: shortText,
  status: fc.integer({ min: 1, max: 65_535 }),
  contentType: shortText,
  etag: shortText,
  body: fc.uint8Array({ maxLength: 300 }).map((b) => new Uint8Array(b)),
});

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Splits bytes at the given (sorted, deduped) cut points. */
function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let last = 0;
  for (const p of [...points, bytes.length]) {
    chunks.push(bytes.subarray(last, p));
    last = p;
  }
  return chunks;
}

describe('binary batch decoder (fuzz)', () => {
  it('decodes any frames, however the stream is chunked', () => {
    fc.assert(
      fc.property(fc.array(frame, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 10 }), (frames, cuts) => {
        const stream = concat([BATCH_MAGIC, ...frames.map(encodeFrame), encodeEnd()]);
        const decoder = new BatchDecoder();
        const out = split(stream, cuts).flatMap((chunk) => decoder.push(chunk));
        decoder.finish();
        expect(out).toEqual(frames);
      }),
      RUNS,
    );
  });

  it('detects truncation anywhere before the end frame, with a typed error only', () => {
    fc.assert(
      fc.property(fc.array(frame, { minLength: 1, maxLength: 5 }), fc.nat(), (frames, cut) => {
        const stream = concat([BATCH_MAGIC, ...frames.map(encodeFrame), encodeEnd()]);
        const decoder = new BatchDecoder();
        onlyTyped(() => {
          decoder.push(stream.subarray(0, cut % stream.length));
          decoder.finish();
          throw new Error('a cut stream finished cleanly');
        }, ['UPSTREAM_ERROR']);
      }),
      RUNS,
    );
  });

  it('throws only UPSTREAM_ERROR on garbage, with or without the magic, and never waits on a huge length', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.uint8Array({ maxLength: 400 }), fc.array(fc.nat(), { maxLength: 6 }), (magic, garbage, cuts) => {
        const decoder = new BatchDecoder();
        const bytes = magic ? concat([BATCH_MAGIC, garbage]) : garbage;
        onlyTyped(() => {
          for (const chunk of split(bytes, cuts)) decoder.push(chunk);
          decoder.finish();
        }, ['UPSTREAM_ERROR']);
      }),
      RUNS,
    );
    // A frame that claims 4 GiB is refused as soon as its length is read.
    const huge = concat([BATCH_MAGIC, new Uint8Array([0, 200, 0, 0, 0, 0xff, 0xff, 0xff, 0xff])]);
    expect(() => new BatchDecoder().push(huge)).toThrow(TileError);
  });
});

/**
 * Is this body really a tile? Every tier that caches a tile (the companion's
 * memory, the worker's memory and IndexedDB) asks this first, so an upstream
 * that answers `200` with an HTML error page, an empty body or half a file
 * never gets cached. Pure and platform-free: bytes in, verdict out.
 *
 * A body passes when all of these hold:
 * - it is not empty;
 * - it is as long as the length the upstream declared (Content-Length), if any;
 * - its magic bytes say JPEG (FF D8 FF), PNG (the 8-byte signature),
 *   WebP (RIFF....WEBP) or GIF (GIF87a / GIF89a);
 * - that format is the one of the content type it will be served as;
 * - it ends the way its format ends (JPEG: EOI FF D9, trailing zero padding
 *   allowed; PNG: the IEND chunk; GIF: the 0x3B trailer; WebP: the RIFF size
 *   matches the length), which catches a body cut short where no length was
 *   declared (a close-delimited or chunked answer).
 */

export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'gif';

export type ImageBodyVerdict = { ok: true; format: ImageFormat } | { ok: false; reason: string };

export interface ImageBodyExpectation {
  /** The Content-Type the tile will be served as, e.g. "image/jpeg" (parameters ignored). */
  contentType: string;
  /** Bytes the upstream declared (Content-Length); null or undefined when it declared none. */
  declaredLength?: number | null | undefined;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const PNG_IEND = [0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82];

const TYPES: Record<string, ImageFormat> = {
  'image/jpeg': 'jpeg',
  'image/jpg': 'jpeg',
  'image/pjpeg': 'jpeg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/gif': 'gif',
};

function startsWith(bytes: Uint8Array, prefix: readonly number[], at = 0): boolean {
  if (bytes.length < at + prefix.length) return false;
  return prefix.every((b, i) => bytes[at + i] === b);
}

function ascii(bytes: Uint8Array, at: number, text: string): boolean {
  return startsWith(bytes, [...text].map((ch) => ch.charCodeAt(0)), at);
}

/** The image format the magic bytes announce, or null when they announce none of ours. */
export function sniffImageFormat(bytes: Uint8Array): ImageFormat | null {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, PNG_SIGNATURE)) return 'png';
  if (ascii(bytes, 0, 'RIFF') && ascii(bytes, 8, 'WEBP')) return 'webp';
  if (ascii(bytes, 0, 'GIF87a') || ascii(bytes, 0, 'GIF89a')) return 'gif';
  return null;
}

/** The image format a Content-Type names ("image/jpeg; q=1" -> jpeg), or null for anything else. */
export function imageFormatOfType(contentType: string): ImageFormat | null {
  const bare = contentType.split(';')[0]!.trim().toLowerCase();
  return TYPES[bare] ?? null;
}

/** Whether the body ends the way a whole file of `format` ends. */
export function hasImageEnd(bytes: Uint8Array, format: ImageFormat): boolean {
  switch (format) {
    case 'jpeg': {
      let end = bytes.length;
      while (end > 0 && bytes[end - 1] === 0) end -= 1;
      return end >= 4 && bytes[end - 2] === 0xff && bytes[end - 1] === 0xd9;
    }
    case 'png':
      return bytes.length >= PNG_SIGNATURE.length + PNG_IEND.length && startsWith(bytes, PNG_IEND, bytes.length - PNG_IEND.length);
    case 'gif':
      return bytes[bytes.length - 1] === 0x3b;
    case 'webp': {
      if (bytes.length < 12) return false;
      const riffSize = (bytes[4]! | (bytes[5]! << 8) | (bytes[6]! << 16) | (bytes[7]! << 24)) >>> 0;
      // RIFF chunks are padded to even sizes; the padding byte may or may not be counted.
      return riffSize + 8 === bytes.length || riffSize + 9 === bytes.length;
    }
  }
}

/** Printable start of a body, for messages ("<!DOCTYPE html>..."). */
function preview(bytes: Uint8Array): string {
  const head = [...bytes.subarray(0, 16)];
  const printable = head.every((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127));
  return printable ? JSON.stringify(String.fromCharCode(...head)) : head.slice(0, 8).map((b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** The verdict on one body; `reason` says what is wrong, for logs and error messages. */
export function checkImageBody(bytes: Uint8Array, expected: ImageBodyExpectation): ImageBodyVerdict {
  if (bytes.length === 0) return { ok: false, reason: 'the body is empty' };
  const { declaredLength } = expected;
  if (declaredLength !== null && declaredLength !== undefined && declaredLength !== bytes.length) {
    return { ok: false, reason: `the body is ${bytes.length} bytes but ${declaredLength} were declared (truncated)` };
  }
  const wanted = imageFormatOfType(expected.contentType);
  if (!wanted) return { ok: false, reason: `"${expected.contentType.slice(0, 64)}" is not an image type that tiles are served as` };
  const format = sniffImageFormat(bytes);
  if (!format) return { ok: false, reason: `the body is not an image (it starts ${preview(bytes)})` };
  if (format !== wanted) return { ok: false, reason: `the body is ${format.toUpperCase()} but would be served as ${expected.contentType}` };
  if (!hasImageEnd(bytes, format)) return { ok: false, reason: `the ${format.toUpperCase()} body is cut short (no end marker)` };
  return { ok: true, format };
}

/** Shorthand for tiers that only need yes or no. */
export function isImageBody(bytes: Uint8Array, expected: ImageBodyExpectation): boolean {
  return checkImageBody(bytes, expected).ok;
}

/**
 * Wraps arbitrary bytes in the start and end markers of an image format, so
 * test tiles pass the companion's body check (src/shared/image-body.ts) while
 * staying distinct per tile. Nothing decodes them: only the envelope is real.
 */
import type { ImageFormat } from '../image-body.ts';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const PNG_IEND = [0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82];

export function formatOfExtension(ext: string): ImageFormat {
  if (ext === 'jpg' || ext === 'jpeg') return 'jpeg';
  if (ext === 'png' || ext === 'webp' || ext === 'gif') return ext;
  throw new Error(`No image format for .${ext}`);
}

/** `payload` between the format's head and tail; the result is `payload.length` plus the envelope. */
export function imageEnvelope(format: ImageFormat, payload: Uint8Array): Uint8Array<ArrayBuffer> {
  const ascii = (text: string) => [...text].map((ch) => ch.charCodeAt(0));
  let head: number[];
  let tail: number[];
  switch (format) {
    case 'jpeg':
      head = [0xff, 0xd8, 0xff, 0xe0];
      tail = [0xff, 0xd9];
      break;
    case 'png':
      head = PNG_SIGNATURE;
      tail = PNG_IEND;
      break;
    case 'gif':
      head = ascii('GIF89a');
      tail = [0x3b];
      break;
    case 'webp': {
      const size = 4 + payload.length;
      head = [...ascii('RIFF'), size & 0xff, (size >>> 8) & 0xff, (size >>> 16) & 0xff, (size >>> 24) & 0xff, ...ascii('WEBP')];
      tail = [];
      break;
    }
  }
  const out = new Uint8Array(head.length + payload.length + tail.length);
  out.set(head, 0);
  out.set(payload, head.length);
  out.set(tail, head.length + payload.length);
  return out;
}

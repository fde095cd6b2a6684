/**
 * Small datasets for the companion's integration tests, made in memory: a
 * 1024 x 768 pyramid of 256-px tiles (levels 0-2) whose bytes differ per
 * tile, so a byte-for-byte comparison proves which object was served. The
 * `mixed` layout keeps some tiles only as .png or .webp, like the real one.
 */
import type { TileExtension } from '../../src/shared/tile-key.ts';
import { formatOfExtension, imageEnvelope } from '../../src/shared/testing/image-envelope.ts';

export const INFO = { width: 1024, height: 768, tileSize: 256, overlap: 0, minLevel: 0, maxLevel: 2, format: 'jpg', version: 'v1' } as const;

/** Every (z, x, y) of the pyramid above. */
export function allTiles(): Array<{ z: number; x: number; y: number }> {
  const out: Array<{ z: number; x: number; y: number }> = [];
  for (let z = 0; z <= 2; z += 1) {
    const scale = 2 ** (2 - z);
    const columns = Math.ceil(Math.ceil(1024 / scale) / 256);
    const rows = Math.ceil(Math.ceil(768 / scale) / 256);
    for (let x = 0; x < columns; x += 1) for (let y = 0; y < rows; y += 1) out.push({ z, x, y });
  }
  return out;
}

export function tileBytes(dataset: string, z: number, x: number, y: number, ext: string, size = 3000): Uint8Array<ArrayBuffer> {
  const seed = [...`${dataset}/${z}/${x}/${y}.${ext}`].reduce((h, ch) => Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0, 2166136261);
  const bytes = new Uint8Array(size);
  let state = seed || 1;
  for (let i = 0; i < size; i += 1) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[i] = state & 0xff;
  }
  // A real image envelope around distinct bytes: the companion refuses bodies that are not images.
  return imageEnvelope(formatOfExtension(ext), bytes);
}

/**
 * Objects keyed as in the bucket. `formatOf` picks each tile's single format,
 * or null for a hole in the pyramid.
 */
export function makeDataset(
  dataset: string,
  formatOf: (z: number, x: number, y: number) => TileExtension | null = () => 'jpg',
): Map<string, Uint8Array<ArrayBuffer>> {
  const objects = new Map<string, Uint8Array<ArrayBuffer>>();
  objects.set(`${dataset}/info.json`, new TextEncoder().encode(JSON.stringify(INFO)));
  for (const { z, x, y } of allTiles()) {
    const ext = formatOf(z, x, y);
    if (ext) objects.set(`${dataset}/${z}/${x}/${y}.${ext}`, tileBytes(dataset, z, x, y, ext));
  }
  return objects;
}

/** The mixed layout: level 2 is png on the left half, webp on the right; level 1 is jpg; tile 1/1/1 is missing. */
export function mixedFormat(z: number, x: number, y: number): TileExtension | null {
  if (z === 2) return x < 2 ? 'png' : 'webp';
  if (z === 1 && x === 1 && y === 1) return null;
  return 'jpg';
}

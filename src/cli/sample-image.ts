/**
 * A deterministic synthetic picture for the sample datasets: gradients,
 * translucent shapes, a labelled grid and noise, so zooming shows real detail
 * and a human can read where they are ("col 20 row 33 / 5120,8448").
 *
 * Rendering one 16384^2 SVG takes ~50 s because libvips re-renders the whole
 * document for every strip. Instead we render 2048^2 chunks, each holding only
 * the shapes that touch it, two at a time, and copy them into one raw buffer
 * (~17 s for everything including tiling on 2 cores). Noise comes from our own
 * seeded generator: libvips' gaussnoise picks a random seed, which would make
 * the version hash change on every run.
 */
import pLimit from 'p-limit';
import { loadSharp } from './load-sharp.ts';

export const CHUNK = 2048;
/** Distance between grid lines and small labels: one full-resolution tile. */
const CELL = 256;
const SHAPES_PER_MEGAPIXEL = 500 / 268;
const NOISE_AMPLITUDE = 24;
const PARALLEL_CHUNKS = 2;

export interface RawImage {
  readonly data: Buffer;
  readonly width: number;
  readonly height: number;
  readonly channels: 3;
}

/** Small, fast, seeded PRNG (LCG); quality is irrelevant, repeatability is not. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

interface Shape {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
  readonly svg: string;
}

function makeShapes(size: number, random: () => number): Shape[] {
  const shapes: Shape[] = [];
  const count = Math.round(((size * size) / 1e6) * SHAPES_PER_MEGAPIXEL);
  for (let i = 0; i < count; i++) {
    const x = Math.floor(random() * size);
    const y = Math.floor(random() * size);
    const r = Math.floor(20 + random() * 900);
    const hue = Math.floor(random() * 360);
    const stroke = Math.floor(2 + random() * 12);
    const kind = random();
    let svg: string;
    if (kind < 0.4) {
      svg = `<circle cx="${x}" cy="${y}" r="${r}" fill="hsl(${hue},70%,55%)" fill-opacity="0.45" stroke="hsl(${hue},70%,25%)" stroke-width="${stroke}"/>`;
    } else if (kind < 0.7) {
      const h = Math.floor(2 * r * random());
      const angle = Math.floor(random() * 90);
      svg = `<rect x="${x - r}" y="${y - r}" width="${2 * r}" height="${h}" fill="hsl(${hue},60%,60%)" fill-opacity="0.5" transform="rotate(${angle} ${x} ${y})"/>`;
    } else if (kind < 0.85) {
      svg = `<circle cx="${x}" cy="${y}" r="${r}" fill="url(#glow)"/>`;
    } else {
      const points: string[] = [];
      for (let j = 0; j < 5; j++) {
        points.push(`${Math.floor(x + (random() - 0.5) * 2 * r)},${Math.floor(y + (random() - 0.5) * 2 * r)}`);
      }
      svg = `<polygon points="${points.join(' ')}" fill="hsl(${hue},80%,45%)" fill-opacity="0.55"/>`;
    }
    // A rotated rect reaches at most r*sqrt(2) from its pivot; 1.5 r covers every kind.
    const reach = r * 1.5 + stroke;
    shapes.push({ x0: x - reach, y0: y - reach, x1: x + reach, y1: y + reach, svg });
  }
  return shapes;
}

function chunkSvg(size: number, shapes: readonly Shape[], cx: number, cy: number): Buffer {
  const X = cx * CHUNK;
  const Y = cy * CHUNK;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${CHUNK}" height="${CHUNK}" viewBox="${X} ${Y} ${CHUNK} ${CHUNK}">`,
    // userSpaceOnUse keeps the background gradient continuous across chunks.
    `<defs><linearGradient id="bg" gradientUnits="userSpaceOnUse" x1="0" y1="0" x2="${size}" y2="${size}">`,
    '<stop offset="0" stop-color="#1d3557"/><stop offset="0.5" stop-color="#a8dadc"/><stop offset="1" stop-color="#e63946"/></linearGradient>',
    '<radialGradient id="glow"><stop offset="0" stop-color="#fff" stop-opacity="0.8"/><stop offset="1" stop-color="#fff" stop-opacity="0"/></radialGradient></defs>',
    `<rect x="${X}" y="${Y}" width="${CHUNK}" height="${CHUNK}" fill="url(#bg)"/>`,
  ];
  for (const s of shapes) {
    if (s.x1 > X && s.x0 < X + CHUNK && s.y1 > Y && s.y0 < Y + CHUNK) out.push(s.svg);
  }
  out.push('<g stroke="#000" stroke-opacity="0.35" stroke-width="2">');
  for (let i = 0; i <= CHUNK; i += CELL) {
    out.push(`<line x1="${X + i}" y1="${Y}" x2="${X + i}" y2="${Y + CHUNK}"/><line x1="${X}" y1="${Y + i}" x2="${X + CHUNK}" y2="${Y + i}"/>`);
  }
  out.push('</g>');
  out.push(`<rect x="${X}" y="${Y}" width="${CHUNK}" height="${CHUNK}" stroke="#000" stroke-opacity="0.8" stroke-width="10" fill="none"/>`);
  out.push('<g font-family="DejaVu Sans" font-size="26" fill="#111">');
  for (let row = 0; row < CHUNK / CELL; row++) {
    for (let col = 0; col < CHUNK / CELL; col++) {
      const px = X + col * CELL;
      const py = Y + row * CELL;
      out.push(`<text x="${px + 10}" y="${py + 34}">col ${px / CELL} row ${py / CELL}</text>`);
      out.push(`<text x="${px + 10}" y="${py + 66}" font-size="20">${px},${py}</text>`);
    }
  }
  out.push('</g>');
  // Mid-size labels every 1024 px stay readable two levels further out.
  out.push('<g font-family="DejaVu Sans" font-weight="bold" font-size="90" fill="#fff" stroke="#000" stroke-width="3">');
  for (let row = 0; row < CHUNK / 1024; row++) {
    for (let col = 0; col < CHUNK / 1024; col++) {
      out.push(`<text x="${X + col * 1024 + 600}" y="${Y + row * 1024 + 980}">${(X + col * 1024) / 1024}:${(Y + row * 1024) / 1024}</text>`);
    }
  }
  out.push('</g>');
  const name = `${String.fromCharCode(65 + (cy % 26))}${cx + 1}`;
  out.push(`<text font-family="DejaVu Sans" font-weight="bold" font-size="220" fill="#fff" stroke="#000" stroke-width="6" x="${X + 120}" y="${Y + 1100}">${name}</text>`);
  out.push('</svg>');
  return Buffer.from(out.join(''));
}

function addNoise(chunk: Buffer, noise: Int8Array): void {
  for (let i = 0, j = 0; i < noise.length; i++, j += 3) {
    const n = noise[i] ?? 0;
    for (let c = 0; c < 3; c++) {
      const v = (chunk[j + c] ?? 0) + n;
      chunk[j + c] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
}

/** Renders the whole picture into one RGB buffer. `size` must be a multiple of CHUNK. */
export async function renderSampleImage(size: number, seed = 20240611): Promise<RawImage> {
  if (!Number.isInteger(size) || size < CHUNK || size % CHUNK !== 0) {
    throw new RangeError(`size must be a positive multiple of ${CHUNK}, got ${size}`);
  }
  const random = seededRandom(seed);
  const shapes = makeShapes(size, random);
  const noise = new Int8Array(CHUNK * CHUNK);
  for (let i = 0; i < noise.length; i++) {
    // Sum of three uniforms: cheap, roughly gaussian grain.
    noise[i] = Math.trunc((random() + random() + random() - 1.5) * NOISE_AMPLITUDE);
  }
  const perSide = size / CHUNK;
  const data = Buffer.alloc(size * size * 3);
  const sharp = await loadSharp();
  await pLimit(PARALLEL_CHUNKS).map(Array.from({ length: perSide * perSide }, (_, index) => index), async (index) => {
    const cx = index % perSide;
    const cy = Math.floor(index / perSide);
    const chunk = await sharp(chunkSvg(size, shapes, cx, cy)).removeAlpha().raw().toBuffer();
    addNoise(chunk, noise);
    for (let row = 0; row < CHUNK; row++) {
      chunk.copy(data, ((cy * CHUNK + row) * size + cx * CHUNK) * 3, row * CHUNK * 3, (row + 1) * CHUNK * 3);
    }
  });
  return { data, width: size, height: size, channels: 3 };
}

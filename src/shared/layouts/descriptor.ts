/**
 * Pyramid descriptors: recognise and parse each format's description of its
 * pyramid into a `Pyramid` in OpenSeadragon's numbering, exactly as
 * OpenSeadragon 6.1 derives it, so the companion serves the tiles a plain
 * viewer of the same files would draw.
 *
 *   `NAME.dzi` / `NAME.xml`   DZI, XML or JSON (`{"Image": {...}}`), levels 0..ceil(log2(max side))
 *   `NAME/info.json`          IIIF Image API 2/3 when it has `@context`, else the project's own schema
 *   `NAME/ImageProperties.xml` Zoomify, levels by floor halving until one tile holds the image
 *   `NAME/vips-properties.xml` with `NAME/blank.png`: `vips dzsave --layout google` (see xyzFromVips)
 *
 * Pure: text in, Pyramid out; every failure is a TileError `BAD_DESCRIPTOR`
 * naming the file and what to fix (fuzz-tested: garbage never crashes).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { TileError } from '../errors.ts';
import { isTileExtension, type TileExtension } from '../tile-key.ts';
import { oneTileLevel, type LayoutName, type Pyramid } from './pyramid.ts';

export type DescriptorKind = 'dzi' | 'iiif' | 'zoomify' | 'vips-google' | 'own';

export interface Descriptor {
  readonly kind: DescriptorKind;
  readonly pyramid: Pyramid;
  /** The own schema's `version`, when it has one (other formats take the descriptor's ETag). */
  readonly version?: string;
  /** IIIF: the image's `@id` / `id` (where a plain viewer would fetch tiles). */
  readonly iiifId?: string;
}

/** Largest side and tile size accepted: 2^31 pixels and 8192-pixel tiles keep every count exact. */
const MAX_SIDE = 2 ** 31;
const MAX_TILE = 8192;

export function descriptorError(file: string, what: string): TileError {
  return new TileError('BAD_DESCRIPTOR', `${file} is not a pyramid descriptor the accelerator can read: ${what}.`);
}

function positiveInteger(file: string, name: string, value: unknown, max: number): number {
  const n = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > max) {
    throw descriptorError(file, `${name} must be a whole number from 1 to ${max}, got ${JSON.stringify(value)?.slice(0, 40)}`);
  }
  return n;
}

function extension(file: string, value: unknown): TileExtension {
  const ext = typeof value === 'string' ? value.toLowerCase() : '';
  if (!isTileExtension(ext)) throw descriptorError(file, `the tile format ${JSON.stringify(value)?.slice(0, 40)} is not one of jpg, jpeg, png, webp`);
  return ext;
}

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', parseTagValue: false, parseAttributeValue: false, removeNSPrefix: true });

function parseXml(file: string, text: string): Record<string, unknown> {
  if (XMLValidator.validate(text) !== true) throw descriptorError(file, 'it is not well-formed XML');
  try {
    return xml.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw descriptorError(file, `its XML cannot be read (${(error as Error).message.slice(0, 80)})`);
  }
}

function parseJson(file: string, text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw descriptorError(file, 'it is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw descriptorError(file, 'it is not a JSON object');
  return value as Record<string, unknown>;
}

const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/** DZI in either form; `Image` is the parsed root element or the JSON form's `Image` object. */
function dzi(file: string, image: Record<string, unknown>): Descriptor {
  const size = record(image['Size']);
  const width = positiveInteger(file, 'Size Width', size['Width'], MAX_SIDE);
  const height = positiveInteger(file, 'Size Height', size['Height'], MAX_SIDE);
  const tileSize = positiveInteger(file, 'TileSize', image['TileSize'], MAX_TILE);
  const overlapText = image['Overlap'] ?? '0';
  const overlap = overlapText === '0' || overlapText === 0 ? 0 : positiveInteger(file, 'Overlap', overlapText, tileSize - 1);
  if (image['DisplayRect'] !== undefined) throw descriptorError(file, 'sparse DZI images (DisplayRect) are not supported');
  // OpenSeadragon's TileSource: levels 0 (1x1 px) .. ceil(log2(max side)).
  const maxLevel = oneTileLevel({ width, height, tileSize: 1 });
  return {
    kind: 'dzi',
    pyramid: { layout: 'dzi', width, height, tileSize, overlap, minLevel: 0, maxLevel, format: extension(file, image['Format']), rounding: 'ceil' },
  };
}

const IIIF_CONTEXT = /^https?:\/\/iiif\.io\/api\/image\/([23])\/context\.json$/;

function iiifVersion(file: string, context: unknown): 2 | 3 {
  const contexts = Array.isArray(context) ? context : [context];
  for (const c of contexts) {
    const match = typeof c === 'string' ? IIIF_CONTEXT.exec(c) : null;
    if (match) return match[1] === '3' ? 3 : 2;
  }
  throw descriptorError(file, `its @context ${JSON.stringify(context)?.slice(0, 60)} names no IIIF Image API 2 or 3 context`);
}

const LEVEL0_PROFILES = ['http://iiif.io/api/image/2/level0.json', 'level0', 'https://iiif.io/api/image/3/level0.json'];

/** IIIF Image API 2/3 with a `tiles` entry: maxLevel = round(log2(max scale factor)), as OpenSeadragon derives it. */
function iiif(file: string, info: Record<string, unknown>): Descriptor {
  const version = iiifVersion(file, info['@context']);
  const width = positiveInteger(file, 'width', info['width'], MAX_SIDE);
  const height = positiveInteger(file, 'height', info['height'], MAX_SIDE);
  const id = info['@id'] ?? info['id'];
  if (typeof id !== 'string' || id.length === 0) throw descriptorError(file, `it has no ${version === 2 ? '@id' : 'id'}`);
  const tiles = info['tiles'];
  if (!Array.isArray(tiles) || tiles.length !== 1) {
    throw descriptorError(file, 'it needs exactly one "tiles" entry (one tile size with its scaleFactors): level-0 static tiles are what is served');
  }
  const entry = record(tiles[0]);
  const tileSize = positiveInteger(file, 'tiles[0].width', entry['width'], MAX_TILE);
  if (entry['height'] !== undefined && entry['height'] !== tileSize) throw descriptorError(file, 'tiles[0] is not square: use one tile size');
  const factors = entry['scaleFactors'];
  if (!Array.isArray(factors) || factors.length === 0) throw descriptorError(file, 'tiles[0].scaleFactors must list the scale factors, e.g. [1, 2, 4]');
  for (const f of factors) positiveInteger(file, 'a scale factor', f, 2 ** 30);
  const maxLevel = Math.round(Math.log2(Math.max(...(factors as number[]))));
  const profile: unknown = Array.isArray(info['profile']) ? info['profile'][0] : info['profile'];
  const preferred = Array.isArray(info['preferredFormats']) ? info['preferredFormats'].find((f) => typeof f === 'string' && isTileExtension(f.toLowerCase())) : undefined;
  return {
    kind: 'iiif',
    iiifId: id,
    pyramid: {
      layout: 'iiif',
      width,
      height,
      tileSize,
      overlap: 0,
      minLevel: 0,
      maxLevel,
      format: preferred ? extension(file, preferred) : 'jpg',
      rounding: 'ceil',
      iiifVersion: version,
      iiifLevel0: typeof profile === 'string' && LEVEL0_PROFILES.includes(profile),
    },
  };
}

/** Zoomify: `<IMAGE_PROPERTIES WIDTH HEIGHT TILESIZE .../>`; levels by floor halving (OpenSeadragon's ZoomifyTileSource). */
function zoomify(file: string, props: Record<string, unknown>): Descriptor {
  const width = positiveInteger(file, 'WIDTH', props['WIDTH'], MAX_SIDE);
  const height = positiveInteger(file, 'HEIGHT', props['HEIGHT'], MAX_SIDE);
  const tileSize = props['TILESIZE'] === undefined ? 256 : positiveInteger(file, 'TILESIZE', props['TILESIZE'], MAX_TILE);
  let maxLevel = 0;
  for (let w = width, h = height; w > tileSize || h > tileSize; w = Math.floor(w / 2), h = Math.floor(h / 2)) maxLevel++;
  return {
    kind: 'zoomify',
    pyramid: { layout: 'zoomify', width, height, tileSize, overlap: 0, minLevel: 0, maxLevel, format: 'jpg', rounding: 'floor' },
  };
}

/**
 * `vips dzsave --layout google`: `vips-properties.xml` gives the image size;
 * vips embeds the image top-left in a square of `tileSize * 2^maxLevel` and
 * writes full `tileSize` tiles, skipping blank ones (`blank.png` stands in).
 * So the geometry is that square, as OpenSeadragon would show the tiles:
 * width = height = tileSize * 2^maxLevel, levels 0..maxLevel.
 */
export function xyzFromVips(file: string, props: Record<string, unknown>, tileSize: number, format: TileExtension): Descriptor {
  const image = record(props['image']);
  const list = record(image['properties'])['property'];
  const entries = Array.isArray(list) ? list.map(record) : [];
  const valueOf = (name: string) => record(entries.find((p) => p['name'] === name)?.['value'])['#text'];
  const width = positiveInteger(file, 'the width property', valueOf('width'), MAX_SIDE);
  const height = positiveInteger(file, 'the height property', valueOf('height'), MAX_SIDE);
  const maxLevel = oneTileLevel({ width, height, tileSize });
  const side = tileSize * 2 ** maxLevel;
  return {
    kind: 'vips-google',
    pyramid: { layout: 'xyz', width: side, height: side, tileSize, overlap: 0, minLevel: 0, maxLevel, format, rounding: 'ceil' },
  };
}

const OWN_LAYOUTS: readonly LayoutName[] = ['own', 'zxy', 'xyz'];

/** The project's own info.json; `layout` (own, zxy or xyz) says how its tiles are keyed (default own). */
function own(file: string, info: Record<string, unknown>): Descriptor {
  const whole = (name: string, min: number) => {
    const n = info[name];
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > MAX_SIDE) throw descriptorError(file, `"${name}" must be a whole number of at least ${min}`);
    return n;
  };
  const layout = info['layout'] ?? 'own';
  if (typeof layout !== 'string' || !OWN_LAYOUTS.includes(layout as LayoutName)) throw descriptorError(file, `"layout" must be one of ${OWN_LAYOUTS.join(', ')}`);
  const version = info['version'];
  if (version !== undefined && (typeof version !== 'string' || version.length === 0 || version.length > 64)) {
    throw descriptorError(file, '"version" must be a short string (1-64 characters)');
  }
  const pyramid: Pyramid = {
    layout: layout as LayoutName,
    width: whole('width', 1),
    height: whole('height', 1),
    tileSize: Math.min(whole('tileSize', 1), MAX_TILE),
    overlap: whole('overlap', 0),
    minLevel: whole('minLevel', 0),
    maxLevel: Math.min(whole('maxLevel', 0), 40),
    format: extension(file, info['format']),
    rounding: 'ceil',
  };
  if (pyramid.minLevel > pyramid.maxLevel) throw descriptorError(file, '"minLevel" is above "maxLevel"');
  return version === undefined ? { kind: 'own', pyramid } : { kind: 'own', pyramid, version: version as string };
}

/**
 * Parses the descriptor at `file` (its key or name, which picks XML or JSON
 * readers; the content decides the format). vips-properties.xml needs the
 * tile size and format the folder shows: pass them as `google`.
 */
export function parseDescriptor(file: string, text: string, google?: { tileSize: number; format: TileExtension }): Descriptor {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) {
    const json = parseJson(file, trimmed);
    if (json['Image'] !== undefined) return dzi(file, record(json['Image']));
    if (json['@context'] !== undefined) return iiif(file, json);
    return own(file, json);
  }
  const doc = parseXml(file, trimmed);
  if (doc['Image'] !== undefined) return dzi(file, record(doc['Image']));
  if (doc['IMAGE_PROPERTIES'] !== undefined) return zoomify(file, record(doc['IMAGE_PROPERTIES']));
  if (doc['image'] !== undefined && google) return xyzFromVips(file, doc, google.tileSize, google.format);
  throw descriptorError(file, 'expected a DZI <Image>, a Zoomify <IMAGE_PROPERTIES>, an IIIF or own info.json');
}

/**
 * TODO(lead, at merge): replace with `parseDescriptor` from ./descriptor.ts
 * (the `layouts` branch: DZI XML/JSON, IIIF info.json, Zoomify XML). This is
 * the minimal DZI-XML-only version the worker needs for
 * `registerTileAccelerator({ sources })`, with the same signature.
 *
 * `scan.dzi` -> tiles under `scan_files/`; OpenSeadragon's DZI levels run
 * from 0 (1x1 px) to ceil(log2(max(width, height))).
 */
import { XMLParser } from 'fast-xml-parser';
import { TileError } from '../errors.ts';
import { isTileExtension } from '../tile-key.ts';
import type { Pyramid } from './pyramid.ts';

export function parseDescriptor(text: string, url: string): { pyramid: Pyramid; tileRoot: string } {
  const fail = (what: string): never => {
    throw new TileError('UPSTREAM_ERROR', `Descriptor ${url} is not a DZI this worker reads: ${what}.`);
  };
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', removeNSPrefix: true }).parse(text) as Record<string, unknown>;
  const image = doc.Image as Record<string, unknown> | undefined;
  if (!image) return fail('no <Image> element (only DZI XML is read until the layouts branch lands)');
  const size = image.Size as Record<string, unknown> | undefined;
  const [width, height, tileSize, overlap] = [size?.Width, size?.Height, image.TileSize, image.Overlap].map(Number) as [number, number, number, number];
  if (![width, height, tileSize].every((n) => Number.isInteger(n) && n > 0) || !Number.isInteger(overlap) || overlap < 0) fail('Size, TileSize or Overlap missing');
  const format = String(image.Format ?? '').toLowerCase();
  if (!isTileExtension(format)) fail(`Format "${format}" is not jpg, jpeg, png or webp`);
  const maxLevel = Math.ceil(Math.log2(Math.max(width, height)));
  const base = url.replace(/[?#].*$/, '').replace(/\.[^/.]*$/, '');
  return {
    pyramid: { layout: 'dzi', width, height, tileSize, overlap, minLevel: 0, maxLevel, format: format as Pyramid['format'], rounding: 'ceil' },
    tileRoot: `${base}_files/`,
  };
}

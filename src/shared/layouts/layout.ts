/**
 * A tile layout: how a pyramid's tiles are named below its tile root. The root
 * is a URL or an object-key prefix (`scan_files/` for DZI `scan.dzi`, the
 * folder of an IIIF `info.json`, of a Zoomify `ImageProperties.xml`, or a bare
 * `{z}/{x}/{y}` dataset), so one mapping serves the companion (object keys),
 * the worker (request URLs) and the CLI (files).
 *
 * `tilePath` and `parseTilePath` are inverse on every tile of the pyramid:
 * `parseTilePath(p, tilePath(p, t))` is `t`, and a path that names no tile
 * of `p` parses to null (property-tested in layouts.test.ts).
 */
import type { Pyramid, TileAddress } from './pyramid.ts';

export interface Layout {
  readonly name: Pyramid['layout'];
  /** The tile's path below the tile root, e.g. `12/3_4.jpeg` (DZI) or `0,0,512,512/512,/0/default.jpg` (IIIF 2). */
  tilePath(p: Pyramid, t: TileAddress): string;
  /** The tile a path below the root names (no query string), or null when it names none of `p`'s tiles. */
  parseTilePath(p: Pyramid, path: string): TileAddress | null;
}

/**
 * `{dataset}/info.json`: what a reader needs to build an OpenSeadragon tile
 * source, plus `version`, a content hash that changes whenever any tile does,
 * so caches keyed by it can never serve a mix of two tilings.
 */

export const TILE_FORMATS = ['jpg', 'png', 'webp'] as const;
export type TileFormat = (typeof TILE_FORMATS)[number];

export interface DatasetInfo {
  readonly width: number;
  readonly height: number;
  readonly tileSize: number;
  readonly overlap: number;
  readonly minLevel: number;
  readonly maxLevel: number;
  /** Preferred tile format; individual tiles may exist only in another (see the mixed sample). */
  readonly format: TileFormat;
  /** Short content hash (hex) over every tile's path and bytes. */
  readonly version: string;
}

export function isTileFormat(value: unknown): value is TileFormat {
  return typeof value === 'string' && (TILE_FORMATS as readonly string[]).includes(value);
}

function nonNegativeInt(source: Record<string, unknown>, key: string, min: number): number {
  const value = source[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new TypeError(`info.json: "${key}" must be an integer >= ${min}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Validates parsed JSON from an info.json; throws TypeError naming the bad field. */
export function parseDatasetInfo(json: unknown): DatasetInfo {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new TypeError('info.json: expected a JSON object');
  }
  const source = json as Record<string, unknown>;
  const format = source['format'];
  if (!isTileFormat(format)) {
    throw new TypeError(`info.json: "format" must be one of ${TILE_FORMATS.join(', ')}, got ${JSON.stringify(format)}`);
  }
  const version = source['version'];
  if (typeof version !== 'string' || !/^[0-9a-f]{6,64}$/.test(version)) {
    throw new TypeError(`info.json: "version" must be a hex string, got ${JSON.stringify(version)}`);
  }
  const info: DatasetInfo = {
    width: nonNegativeInt(source, 'width', 1),
    height: nonNegativeInt(source, 'height', 1),
    tileSize: nonNegativeInt(source, 'tileSize', 1),
    overlap: nonNegativeInt(source, 'overlap', 0),
    minLevel: nonNegativeInt(source, 'minLevel', 0),
    maxLevel: nonNegativeInt(source, 'maxLevel', 0),
    format,
    version,
  };
  if (info.minLevel > info.maxLevel) {
    throw new TypeError('info.json: "minLevel" must not exceed "maxLevel"');
  }
  return info;
}

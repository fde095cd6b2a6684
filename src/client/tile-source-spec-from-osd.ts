/**
 * From an OpenSeadragon TileSource to the spec the worker registers
 * (shared/tile-source-spec.ts): geometry from the source object itself, and
 * the tile paths either as a known layout (DZI, IIIF, Zoomify) or, for legacy
 * and custom `getTileUrl` sources, a URL template learned by calling
 * `getTileUrl` with marker values. Whatever the route, the spec is accepted
 * only if it reproduces `getTileUrl` exactly on a sample of real tiles
 * (corners of the smallest, a middle and the largest level); otherwise the
 * reason is returned, to be said out loud.
 */
import OpenSeadragon from 'openseadragon';
import { isTileExtension, type TileExtension } from '../shared/tile-key.ts';
import { levelGrid, type LayoutName, type Pyramid, type TileAddress } from '../shared/layouts/index.ts';
import { tileUrlsOf, type CompanionTarget, type Credentials, type TileSourceSpec } from '../shared/tile-source-spec.ts';

export interface SpecContext {
  companion?: CompanionTarget;
  credentials: Credentials;
  descriptorUrl?: string;
}

export type SpecOutcome = { spec: TileSourceSpec } | { reason: string };

// Large, distinct, and unlikely to occur in a URL by chance.
const MARKERS = { level: 71234567, x: 72345678, y: 73456789 } as const;

type AnySource = OpenSeadragon.TileSource & Record<string, unknown>;

export function specFromTileSource(source: OpenSeadragon.TileSource, context: SpecContext): SpecOutcome {
  const s = source as AnySource;
  const tileSize = source.getTileWidth(source.maxLevel);
  if (tileSize !== source.getTileHeight(source.maxLevel)) return { reason: `tiles are not square (${tileSize}x${source.getTileHeight(source.maxLevel)})` };
  const geometry = { width: source.dimensions.x, height: source.dimensions.y, tileSize, overlap: source.tileOverlap || 0, minLevel: source.minLevel, maxLevel: source.maxLevel };
  const base = { credentials: context.credentials, ...(context.companion ? { companion: context.companion } : {}), ...(context.descriptorUrl ? { descriptorUrl: context.descriptorUrl } : {}) };
  const attempts: Array<() => SpecOutcome> = [];
  const known = knownLayout(s);
  if (known) {
    const format = String(known.format).toLowerCase();
    if (!isTileExtension(format)) return { reason: `tile format "${format}" is not jpg, jpeg, png or webp` };
    attempts.push(() =>
      verified(source, {
        id: '',
        pyramid: { layout: known.layout, ...geometry, format, rounding: known.layout === 'zoomify' ? 'floor' : 'ceil', ...(known.iiifVersion ? { iiifVersion: known.iiifVersion } : {}) },
        paths: { layout: known.layout },
        tileRoot: absolute(known.root),
        query: known.query,
        ...base,
      }),
    );
  }
  attempts.push(() => {
    const template = learnTemplate(source);
    if (typeof template !== 'string') return template;
    const format = /\.(jpe?g|png|webp)(?:[?#]|$)/i.exec(template)?.[1]?.toLowerCase() ?? 'jpg';
    return verified(source, { id: '', pyramid: { layout: 'zxy', ...geometry, format: format as TileExtension, rounding: 'ceil' }, paths: { template }, tileRoot: template.slice(0, template.indexOf('{')), query: '', ...base });
  });
  const reasons: string[] = [];
  for (const attempt of attempts) {
    const outcome = attempt();
    if ('spec' in outcome) return outcome;
    reasons.push(outcome.reason);
  }
  return { reason: reasons.join('; ') };
}

interface KnownLayout {
  layout: LayoutName;
  root: string;
  query: string;
  format: unknown;
  iiifVersion?: 2 | 3;
}

function knownLayout(s: AnySource): KnownLayout | null {
  if (s instanceof OpenSeadragon.DziTileSource) return { layout: 'dzi', root: String(s.tilesUrl), query: String(s.queryParams ?? ''), format: s.fileFormat };
  if (s instanceof OpenSeadragon.ZoomifyTileSource) return { layout: 'zoomify', root: String(s.tilesUrl), query: '', format: s.fileFormat ?? 'jpg' };
  if (s instanceof OpenSeadragon.IIIFTileSource) {
    const id = String(s.id ?? s['@id'] ?? '');
    return { layout: 'iiif', root: `${id.replace(/\/$/, '')}/`, query: '', format: s.tileFormat ?? 'jpg', iiifVersion: Number(s.version) === 3 ? 3 : 2 };
  }
  return null;
}

/** The source's URL pattern, by calling getTileUrl with marker values; or why it has none. */
function learnTemplate(source: OpenSeadragon.TileSource): string | { reason: string } {
  let url: unknown;
  try {
    url = source.getTileUrl(MARKERS.level, MARKERS.x, MARKERS.y);
  } catch (error) {
    return { reason: `getTileUrl cannot be learned as a {level}/{x}/{y} template (it threw on marker values: ${String(error)})` };
  }
  if (typeof url !== 'string') return { reason: 'getTileUrl does not return a URL string' };
  let template = absolute(url);
  for (const [name, marker] of Object.entries(MARKERS)) {
    const parts = template.split(String(marker));
    if (parts.length !== 2) return { reason: `getTileUrl's URL does not hold the ${name} once (not a {level}/{x}/{y} template): ${url}` };
    template = parts.join(`{${name}}`);
  }
  return template;
}

/** The spec, if it reproduces getTileUrl on sample tiles and parses each back to its tile. */
function verified(source: OpenSeadragon.TileSource, spec: TileSourceSpec): SpecOutcome {
  let urls;
  try {
    urls = tileUrlsOf(spec);
  } catch (error) {
    return { reason: String(error instanceof Error ? error.message : error) };
  }
  spec.id = urls.root;
  for (const tile of sampleTiles(spec.pyramid)) {
    let expected: unknown;
    let ours: string;
    try {
      expected = source.getTileUrl(tile.level, tile.x, tile.y);
      ours = urls.url(tile);
    } catch (error) {
      return { reason: `the ${spec.pyramid.layout} mapping failed on tile ${tile.level}/${tile.x}/${tile.y}: ${String(error)}` };
    }
    if (typeof expected !== 'string' || absolute(expected) !== ours) {
      return { reason: `the ${'template' in spec.paths ? 'learned template' : `${spec.pyramid.layout} layout`} gives ${ours} for tile ${tile.level}/${tile.x}/${tile.y}, the viewer asks for ${String(expected)}` };
    }
    const back = urls.parse(ours);
    if (!back || back.level !== tile.level || back.x !== tile.x || back.y !== tile.y) return { reason: `tile URL ${ours} does not parse back to ${tile.level}/${tile.x}/${tile.y}` };
  }
  return { spec };
}

function sampleTiles(p: Pyramid): TileAddress[] {
  const levels = [...new Set([p.minLevel, Math.floor((p.minLevel + p.maxLevel) / 2), p.maxLevel])];
  return levels.flatMap((level) => {
    const { columns, rows } = levelGrid(p, level);
    return [{ level, x: 0, y: 0 }, { level, x: columns - 1, y: rows - 1 }, { level, x: Math.floor(columns / 2), y: Math.floor(rows / 2) }];
  });
}

export function absolute(url: string): string {
  return new URL(url, location.href).href;
}

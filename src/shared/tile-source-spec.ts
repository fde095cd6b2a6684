/**
 * A tile source as the page (or the worker's configuration) registers it with
 * the worker: where its tiles live (an absolute tile root URL), how their
 * paths are named below it (a layout of shared/layouts, or a URL template
 * learned from a custom `getTileUrl`), its geometry in OpenSeadragon's level
 * numbering, and optionally the companion that serves it by batches.
 *
 * Pure and platform-free: the page builds specs and checks them against the
 * viewer's own tile URLs, the worker matches request URLs with them; both
 * use these functions, so they cannot disagree about a tile's URL.
 */
import { TileError } from './errors.ts';
import { isTileExtension } from './tile-key.ts';
import { layoutOf, LAYOUT_NAMES, type LayoutName, type Pyramid, type TileAddress } from './layouts/index.ts';
import { urlTemplateLayout } from './layouts/url-template.ts';

/** Fetch credentials mode (the DOM's RequestCredentials, spelled out so this module needs no DOM lib). */
export type Credentials = 'omit' | 'same-origin' | 'include';

export interface CompanionTarget {
  /** The companion's tile API, absolute or relative to the worker (e.g. `https://tiles.example.com/api/tiles`). */
  apiBase: string;
  /** The dataset name the companion serves this pyramid as (its batch endpoint is `{apiBase}/{dataset}/batch`). */
  dataset: string;
}

export interface TileSourceSpec {
  /** Unique per source; caches key tiles `{id}@{version}/{level}/{x}/{y}`. Default: the tile root. */
  id: string;
  pyramid: Pyramid;
  /** How tile paths are named: a layout below `tileRoot`, or a URL template with `{level}`, `{x}`, `{y}`. */
  paths: { layout: LayoutName } | { template: string };
  /** Absolute URL every tile URL starts with (for templates: the text before the first placeholder). */
  tileRoot: string;
  /** Query string OpenSeadragon appends to tile URLs (DZI `queryParams`), `?` included; '' for none. */
  query: string;
  /** The descriptor the page opened (`.dzi`, `info.json`, `ImageProperties.xml`): the worker versions tiles by it. */
  descriptorUrl?: string;
  /** Set when the source has no descriptor and the page knows a version (else `inline`). */
  version?: string;
  companion?: CompanionTarget;
  /** Credentials for the worker's own requests (prefetch, revalidation): default 'same-origin'. */
  credentials: Credentials;
}

/** The mapping between tiles and URLs of a spec. */
export interface TileUrls {
  root: string;
  /** Whether the query string is part of what names the tile (a template with placeholders in it). */
  queryNamesTile: boolean;
  url(t: TileAddress): string;
  /** The tile `href` names, or null (not below the root, not a tile of the pyramid). */
  parse(href: string): TileAddress | null;
}

export function tileUrlsOf(spec: TileSourceSpec): TileUrls {
  const { pyramid } = spec;
  if ('template' in spec.paths) {
    const template = spec.paths.template;
    const q = template.indexOf('?');
    const queryNamesTile = q >= 0 && /\{(level|x|y)\}/.test(template.slice(q));
    const layout = urlTemplateLayout(queryNamesTile || q < 0 ? template : template.slice(0, q));
    if (!layout) throw bad(`template "${template}" must hold {level}, {x} and {y} once each`);
    const query = queryNamesTile || q < 0 ? '' : template.slice(q);
    return {
      root: layout.root,
      queryNamesTile,
      url: (t) => `${layout.root}${layout.tilePath(pyramid, t)}${query}`,
      parse: (href) => (href.startsWith(layout.root) ? layout.parseTilePath(pyramid, rest(href.slice(layout.root.length), queryNamesTile)) : null),
    };
  }
  const layout = layoutOf(spec.paths.layout);
  return {
    root: spec.tileRoot,
    queryNamesTile: false,
    url: (t) => `${spec.tileRoot}${layout.tilePath(pyramid, t)}${spec.query}`,
    parse: (href) => (href.startsWith(spec.tileRoot) ? layout.parseTilePath(pyramid, rest(href.slice(spec.tileRoot.length), false)) : null),
  };
}

function rest(path: string, keepQuery: boolean): string {
  const hash = path.indexOf('#');
  const bare = hash >= 0 ? path.slice(0, hash) : path;
  if (keepQuery) return bare;
  const q = bare.indexOf('?');
  return q >= 0 ? bare.slice(0, q) : bare;
}

/** Checks a spec that crossed a boundary (a page message, configuration, IndexedDB); throws TileError BAD_REQUEST saying what is wrong. */
export function parseTileSourceSpec(value: unknown): TileSourceSpec {
  if (typeof value !== 'object' || value === null) throw bad('not an object');
  const r = value as Record<string, unknown>;
  const tileRoot = absoluteUrl(r.tileRoot, 'tileRoot');
  const p = r.pyramid as Record<string, unknown> | undefined;
  if (typeof p !== 'object' || p === null) throw bad('"pyramid" must be an object');
  for (const field of ['width', 'height', 'tileSize', 'overlap', 'minLevel', 'maxLevel'] as const) {
    const n = p[field];
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw bad(`"pyramid.${field}" must be a non-negative integer`);
  }
  if (!LAYOUT_NAMES.includes(p.layout as LayoutName)) throw bad(`"pyramid.layout" must be one of ${LAYOUT_NAMES.join(', ')}`);
  if (typeof p.format !== 'string' || !isTileExtension(p.format)) throw bad('"pyramid.format" must be jpg, jpeg, png or webp');
  if (p.rounding !== 'ceil' && p.rounding !== 'floor') throw bad('"pyramid.rounding" must be ceil or floor');
  const pyramid = { ...(p as unknown as Pyramid) };
  if (pyramid.tileSize === 0 || pyramid.minLevel > pyramid.maxLevel || pyramid.width === 0 || pyramid.height === 0) throw bad('pyramid levels, size or tileSize out of range');
  const paths = r.paths as Record<string, unknown> | undefined;
  let specPaths: TileSourceSpec['paths'];
  if (paths && typeof paths.template === 'string') specPaths = { template: absoluteUrl(paths.template, 'paths.template') };
  else if (paths && LAYOUT_NAMES.includes(paths.layout as LayoutName)) specPaths = { layout: paths.layout as LayoutName };
  else throw bad('"paths" must be { layout } or { template }');
  const query = r.query === undefined ? '' : String(r.query);
  if (query !== '' && !query.startsWith('?')) throw bad('"query" must be empty or start with "?"');
  const credentials = r.credentials ?? 'same-origin';
  if (credentials !== 'omit' && credentials !== 'same-origin' && credentials !== 'include') throw bad('"credentials" must be omit, same-origin or include');
  const spec: TileSourceSpec = { id: '', pyramid, paths: specPaths, tileRoot, query, credentials };
  spec.id = r.id === undefined ? tileUrlsOf(spec).root : text(r.id, 'id');
  if (r.descriptorUrl !== undefined) spec.descriptorUrl = absoluteUrl(r.descriptorUrl, 'descriptorUrl');
  if (r.version !== undefined) spec.version = text(r.version, 'version');
  if (r.companion !== undefined) {
    const c = r.companion as Record<string, unknown> | null;
    spec.companion = { apiBase: text(c?.apiBase, 'companion.apiBase').replace(/\/+$/, ''), dataset: text(c?.dataset, 'companion.dataset') };
  }
  return spec;
}

function absoluteUrl(value: unknown, field: string): string {
  const s = text(value, field);
  try {
    new URL(s); // eslint-disable-line no-new -- parses or throws
    return s;
  } catch {
    throw bad(`"${field}" must be an absolute URL, got "${s.slice(0, 80)}"`);
  }
}

function text(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2048) throw bad(`"${field}" must be a non-empty string`);
  return value;
}

function bad(what: string): TileError {
  return new TileError('BAD_REQUEST', `Tile source rejected: ${what}.`);
}

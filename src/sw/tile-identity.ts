/**
 * A tile request's identity, parsed once where the request enters the worker
 * (the route) and carried as a value through the queue, the tiers, the
 * revalidator and the prefetcher: nothing downstream slices a URL or a key
 * to get it back.
 *
 *   source  the registered source id (for the project's own tile API: the dataset name)
 *   level, x, y  the tile in OpenSeadragon's numbering
 *   ext     the extension the companion is asked for in a batch (`{level}/{x}/{y}.{ext}`)
 *   url     the whole URL the page asked for, query string included (signed URLs,
 *           cache busters): what the worker fetches, and what it names in `dropped` messages
 *   key     `{source}@{version}/{level}/{x}/{y}`: where the tile is stored (the version
 *           at the time of the request, so a frame landing after a version switch is
 *           stored under the key it was asked for, never under the new version's)
 */
import type { TileAddress } from '../shared/layouts/index.ts';

export interface TileIdentity extends TileAddress {
  readonly source: string;
  readonly ext: string;
  readonly url: string;
  readonly key: string;
}

/** What a route's match callback found in a URL, before the version is known. */
export interface TileMatch extends TileAddress {
  readonly kind: 'tile-match';
  readonly source: string;
  /** True for the project's own `/api/tiles/{dataset}/…` (versioned by its info). */
  readonly own: boolean;
  readonly ext: string;
  readonly url: string;
}

export function versionPrefix(source: string, version: string): string {
  return `${source}@${version}/`;
}

export function identify(match: Omit<TileMatch, 'kind' | 'own'>, version: string): TileIdentity {
  const { source, level, x, y, ext, url } = match;
  return { source, level, x, y, ext, url, key: `${versionPrefix(source, version)}${level}/${x}/${y}` };
}

export function isTileMatch(value: unknown): value is TileMatch {
  return typeof value === 'object' && value !== null && (value as TileMatch).kind === 'tile-match';
}

/**
 * A layout learned from a URL template, for custom `getTileUrl` sources whose
 * URLs are a fixed pattern of level, column and row:
 * `https://tiles.example.com/scan/{level}/{x}/{y}.jpg?key=abc`.
 *
 * The tile root is the text before the first placeholder; `tilePath` fills
 * the rest and `parseTilePath` reads it back (placeholders are decimal
 * integers without leading zeros, everything else must match literally).
 */
import { hasTile, type Pyramid, type TileAddress } from './pyramid.ts';

export const PLACEHOLDERS = ['{level}', '{x}', '{y}'] as const;
const INTEGER = '(0|[1-9][0-9]{0,8})';

export interface UrlTemplateLayout {
  /** The text before the first placeholder: a URL prefix every tile shares. */
  readonly root: string;
  /** The template after the root, with placeholders. */
  readonly rest: string;
  tilePath(p: Pyramid, t: TileAddress): string;
  parseTilePath(p: Pyramid, path: string): TileAddress | null;
}

/** Null unless `template` holds each of `{level}`, `{x}`, `{y}` exactly once. */
export function urlTemplateLayout(template: string): UrlTemplateLayout | null {
  if (!PLACEHOLDERS.every((name) => template.split(name).length === 2)) return null;
  const first = Math.min(...PLACEHOLDERS.map((name) => template.indexOf(name)));
  const root = template.slice(0, first);
  const rest = template.slice(first);
  const order: Array<keyof TileAddress> = [];
  const source = rest.replace(/\{level\}|\{x\}|\{y\}|[^{]+|\{/g, (part) => {
    if (part === '{level}') order.push('level');
    else if (part === '{x}') order.push('x');
    else if (part === '{y}') order.push('y');
    else return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return INTEGER;
  });
  const pattern = new RegExp(`^${source}$`);
  return {
    root,
    rest,
    tilePath: (_p, t) => rest.replace('{level}', String(t.level)).replace('{x}', String(t.x)).replace('{y}', String(t.y)),
    parseTilePath(p, path) {
      const match = pattern.exec(path);
      if (!match) return null;
      const values: Record<string, number> = {};
      order.forEach((name, i) => (values[name] = Number(match[i + 1])));
      const tile: TileAddress = { level: values.level!, x: values.x!, y: values.y! };
      return hasTile(p, tile) ? tile : null;
    },
  };
}

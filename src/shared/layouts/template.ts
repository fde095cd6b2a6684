/**
 * Layouts whose tile path is a fixed pattern of level, column and row:
 *   dzi   `{level}/{x}_{y}.{ext}`  (below `NAME_files/`)
 *   own   `{level}/{x}/{y}.{ext}`  (the project's own, with its info.json)
 *   zxy   `{level}/{x}/{y}.{ext}`  (bare z/x/y, no descriptor)
 *   xyz   `{level}/{y}/{x}.{ext}`  (Google/XYZ, as `vips dzsave --layout google` writes)
 */
import type { Layout } from './layout.ts';
import { hasTile, type Pyramid, type TileAddress } from './pyramid.ts';

const INTEGER = '(0|[1-9][0-9]{0,8})';

function templateLayout(name: Pyramid['layout'], separator: '_' | '/', order: 'xy' | 'yx'): Layout {
  const pattern = new RegExp(`^${INTEGER}/${INTEGER}${separator === '_' ? '_' : '/'}${INTEGER}\\.([A-Za-z0-9]+)$`);
  return {
    name,
    tilePath(p, t) {
      const [a, b] = order === 'xy' ? [t.x, t.y] : [t.y, t.x];
      return `${t.level}/${a}${separator}${b}.${p.format}`;
    },
    parseTilePath(p, path) {
      const match = pattern.exec(path);
      if (!match || match[4] !== p.format) return null;
      const [level, a, b] = [Number(match[1]), Number(match[2]), Number(match[3])];
      const tile: TileAddress = order === 'xy' ? { level, x: a, y: b } : { level, x: b, y: a };
      return hasTile(p, tile) ? tile : null;
    },
  };
}

export const DZI_LAYOUT = templateLayout('dzi', '_', 'xy');
export const OWN_LAYOUT = templateLayout('own', '/', 'xy');
export const ZXY_LAYOUT = templateLayout('zxy', '/', 'xy');
export const XYZ_LAYOUT = templateLayout('xyz', '/', 'yx');

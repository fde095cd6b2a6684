/**
 * Where the package is: its root (the folder with our package.json) found by
 * walking up from this module, which works both from `src/cli/` in a checkout
 * and from `lib/node/cli/` in an installed package. Gives `--version` and
 * the built demo page that `serve` serves (`lib/demo/`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const NAME = 'tile-accelerator';

interface Manifest {
  name?: string;
  version?: string;
}

function findRoot(from: string): { root: string; manifest: Manifest } {
  for (let dir = from; ; dir = dirname(dir)) {
    const path = join(dir, 'package.json');
    if (existsSync(path)) {
      const manifest = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
      if (manifest.name === NAME) return { root: dir, manifest };
    }
    if (dirname(dir) === dir) throw new Error(`${NAME}: no package.json named ${NAME} above ${from}; the package is incomplete.`);
  }
}

const found = findRoot(dirname(fileURLToPath(import.meta.url)));

export const PACKAGE_ROOT = found.root;
export const PACKAGE_VERSION = found.manifest.version ?? '0.0.0';
/** The demo page and its worker, built by `npm run build:lib` (vite build --mode demo). */
export const DEMO_DIR = join(PACKAGE_ROOT, 'lib', 'demo');

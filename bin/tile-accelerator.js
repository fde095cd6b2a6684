#!/usr/bin/env node
// The CLI, compiled to JavaScript in lib/node/ (npm run build:lib; shipped in the package).
import { existsSync } from 'node:fs';

const main = new URL('../lib/node/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('tile-accelerator: the CLI is not built (lib/node/cli/main.js is missing): run `npm run build:lib` in this checkout.\n');
  process.exit(1);
}
await import(main.href);

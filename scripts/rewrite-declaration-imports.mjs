// After `tsc --emitDeclarationOnly`: our sources import `./x.ts` (allowImportingTsExtensions),
// and tsc 5.9 copies those specifiers into the .d.ts files as written. A consumer's
// TypeScript resolves `./x.js` to `./x.d.ts` under every moduleResolution, so rewrite them.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const root = process.argv[2] ?? 'lib/types';
let files = 0;
for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.d.ts')) continue;
  const path = join(entry.parentPath, entry.name);
  const text = await readFile(path, 'utf8');
  const rewritten = text.replace(/(from\s+|import\s*\(\s*)(['"])(\.{1,2}\/[^'"]+)\.ts\2/g, '$1$2$3.js$2');
  if (rewritten !== text) {
    await writeFile(path, rewritten);
    files += 1;
  }
}
console.log(`declarations: rewrote .ts import specifiers in ${files} files under ${root}`);

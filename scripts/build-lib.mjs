// `npm run build:lib` (and `prepack`): everything the package ships, into a clean lib/.
//   lib/sw.js, lib/client.js   the two library entries (vite.lib.config.ts)
//   lib/types/                 their declarations (tsc per side: WebWorker vs DOM lib)
//   lib/node/                  the CLI and the companion it serves, compiled to JavaScript
//   lib/demo/                  the demo page and its worker, which `tile-accelerator serve` serves
// A failing step prints its own errors; this script then exits with its status, without a stack.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';

const steps = [
  ['vite', 'build', '-c', 'vite.lib.config.ts', '--logLevel', 'warn'],
  ['tsc', '-p', 'src/sw/tsconfig.lib.json'],
  ['tsc', '-p', 'src/client/tsconfig.lib.json'],
  ['node', 'scripts/rewrite-declaration-imports.mjs', 'lib/types'],
  ['tsc', '-p', 'src/cli/tsconfig.lib.json'],
  ['vite', 'build', '--mode', 'demo', '--outDir', 'lib/demo', '--emptyOutDir', '--logLevel', 'warn'],
];

rmSync('lib', { recursive: true, force: true });
for (const [command, ...args] of steps) {
  const bin = command === 'node' ? process.execPath : `node_modules/.bin/${command}`;
  const result = spawnSync(bin, args, { stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write(`build:lib: \`${command} ${args.join(' ')}\` failed${result.error ? `: ${result.error.message}` : ''}\n`);
    process.exit(result.status ?? 1);
  }
}

// `npm start`: build the package (lib/), make the sample tiles if missing, then
// run the companion with the demo page (`tile-accelerator serve`, which prints
// the URL to open). Any failing step has printed its own one-line reason:
// exit with its status, without a stack trace of our own.
import { spawnSync } from 'node:child_process';

const steps = [
  [process.execPath, ['scripts/build-lib.mjs']],
  [process.execPath, ['bin/tile-accelerator.js', 'sample', '--if-missing']],
  [process.execPath, ['bin/tile-accelerator.js', 'serve', ...process.argv.slice(2)]],
];
for (const [command, args] of steps) {
  const { status, signal } = spawnSync(command, args, { stdio: 'inherit' });
  if (signal === 'SIGINT' || signal === 'SIGTERM') process.exit(0);
  if (status !== 0) process.exit(status ?? 1);
}

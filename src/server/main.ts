/**
 * The companion from source (`npx tsx src/server/main.ts`, beside `npm run
 * dev`): configured from the environment (config.ts, docs/companion.md),
 * serving the built demo from `dist/` if it is there. The installed package
 * runs the same through `tile-accelerator serve`. A bad variable or a port in
 * use stops start-up with one line.
 */
import { ConfigError } from './config.ts';
import { serveCompanion } from './serve.ts';

try {
  const companion = await serveCompanion({ env: process.env, staticDir: 'dist', log: (line) => console.log(JSON.stringify(line)) });
  console.log(JSON.stringify({ config: companion.described }));
  console.log(`Open ${companion.url}/ (compare: ${companion.url}/?accelerator=off)`);
  const shutdown = () => {
    companion.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
} catch (error) {
  const known = error instanceof ConfigError || (error as NodeJS.ErrnoException).code !== undefined;
  if (!known) throw error;
  console.error(`tile-accelerator companion: ${(error as Error).message}`);
  process.exitCode = 1;
}

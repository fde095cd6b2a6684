/**
 * `tile-accelerator serve`: the companion (src/server) with the demo page
 * beside it, as `npm start` runs it in a checkout. Configured by the same
 * environment variables (docs/companion.md); a flag wins over its variable.
 * Secrets (AWS_*_KEY*, AUTH_TOKEN, ADMIN_TOKEN) are environment-only, so they
 * never show in a process list. Starting the product from the CLI is the one
 * sanctioned cli -> server import, as in the benchmarks (README).
 */
import { existsSync } from 'node:fs';
import { ConfigError } from '../server/config.ts';
import { serveCompanion } from '../server/serve.ts';
import { log, parse } from './args.ts';
import { CliError } from './cli-error.ts';
import { DEMO_DIR } from './package-info.ts';

/** Each flag and the variable it stands for. */
export const SERVE_FLAGS = {
  port: 'PORT',
  host: 'HOST',
  'tiles-dir': 'TILES_DIR',
  'r2-public-url': 'R2_PUBLIC_URL',
  'use-s3': 'USE_S3',
  's3-endpoint-url': 'S3_ENDPOINT_URL',
  bucket: 'AWS_BUCKET_NAME',
  'tile-cache-max-bytes': 'TILE_CACHE_MAX_BYTES',
  'upstream-connections': 'UPSTREAM_CONNECTIONS',
  'upstream-timeout-ms': 'UPSTREAM_TIMEOUT_MS',
  'cors-origins': 'CORS_ORIGINS',
} as const;

type Flag = keyof typeof SERVE_FLAGS;

export async function run(args: string[]): Promise<void> {
  const { values } = parse({
    args,
    options: {
      ...(Object.fromEntries(Object.keys(SERVE_FLAGS).map((flag) => [flag, { type: flag === 'use-s3' ? 'boolean' : 'string' }])) as Record<Flag, { type: 'string' }>),
      'static-dir': { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const env: Record<string, string | undefined> = { ...process.env };
  const given: Array<[Flag, string]> = [];
  for (const [flag, variable] of Object.entries(SERVE_FLAGS) as Array<[Flag, string]>) {
    const value = values[flag] as string | boolean | undefined;
    if (value === undefined) continue;
    env[variable] = String(value);
    given.push([flag, variable]);
  }
  const staticDir = values['static-dir'] ?? (existsSync(DEMO_DIR) ? DEMO_DIR : undefined);
  if (values['static-dir'] !== undefined && !existsSync(values['static-dir'])) {
    throw new CliError('usage', `--static-dir ${values['static-dir']} does not exist: give the folder of a built page (index.html, sw.js).`);
  }

  let companion;
  try {
    companion = await serveCompanion({
      env,
      ...(staticDir ? { staticDir } : {}),
      ...(values.quiet ? {} : { log: (line: object) => log(JSON.stringify(line)) }),
    });
  } catch (error) {
    if (error instanceof ConfigError) {
      // The message names the variable; say the flag instead when that is what the user typed.
      const flag = given.find(([, variable]) => error.message.startsWith(variable));
      const message = flag ? `--${flag[0]}${error.message.slice(flag[1].length).replace(/^=/, ' ')}` : error.message;
      throw new CliError('bad-config', message, { cause: error });
    }
    const { code, address, port } = error as NodeJS.ErrnoException & { address?: string; port?: number };
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      throw new CliError('start-failed', `cannot listen on ${address}:${port} (${code}): pick another --port (PORT) or --host (HOST).`, { cause: error });
    }
    throw error;
  }
  if (!staticDir) process.stderr.write(`tile-accelerator: no demo page at ${DEMO_DIR} (run npm run build:lib); serving the API only.\n`);
  log(`tile-accelerator companion: tiles from ${companion.config.source.kind}${staticDir ? `, page from ${staticDir}` : ''}`);
  log(`Open ${companion.url}/ (compare: ${companion.url}/?accelerator=off)`);
  const shutdown = () => {
    companion.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`tile-accelerator: closing failed: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

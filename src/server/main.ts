/**
 * `npm start`: the companion configured from the environment (see config.ts
 * and docs/companion.md), serving the built demo from `dist/`. A bad variable
 * stops start-up with one line naming it.
 */
import { ConfigError, describeConfig, loadConfig, type CompanionConfig } from './config.ts';
import { startCompanion } from './node-server.ts';
import { sourceFromConfig, upstreamSettings } from './source-from-config.ts';
import { DEFAULTS } from './defaults.ts';
import { createPoolFetch } from './upstream/pool-fetch.ts';

let config: CompanionConfig;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`tile-accelerator companion: ${error.message}`);
  process.exit(1);
}

const pool = createPoolFetch({
  connections: config.upstreamConnections,
  timeoutMs: config.upstreamTimeoutMs,
  keepAliveMs: DEFAULTS.upstreamKeepAliveMs,
});
const companion = await startCompanion({
  source: sourceFromConfig(config.source, pool.fetch, upstreamSettings(config.upstreamTimeoutMs)),
  port: config.port,
  host: config.host,
  staticDir: 'dist',
  cacheMaxBytes: config.tileCacheMaxBytes,
  authToken: config.authToken,
  adminToken: config.adminToken,
  corsOrigins: config.corsOrigins,
  layouts: config.datasetLayouts,
  log: (line) => console.log(JSON.stringify(line)),
});
console.log(JSON.stringify({ config: describeConfig(config) }));
console.log(`tile-accelerator companion: tiles from ${config.source.kind}`);
console.log(`Open ${companion.url}/ (compare: ${companion.url}/?accelerator=off)`);

const shutdown = () => {
  companion
    .close()
    .then(() => pool.close())
    .then(() => process.exit(0))
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);

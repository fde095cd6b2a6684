/**
 * The companion as a process runs it (`tile-accelerator serve`, `npm start`):
 * configuration from an environment record (config.ts), one undici pool for
 * the upstream, the Node server, and a close that releases both. Start-up
 * problems are ConfigErrors (a bad variable) or the listen error (a port in
 * use), for the caller to print as one line.
 */
import { type CompanionConfig, describeConfig, loadConfig } from './config.ts';
import { DEFAULTS } from './defaults.ts';
import { startCompanion } from './node-server.ts';
import type { RequestLog } from './request-log.ts';
import { sourceFromConfig, upstreamSettings } from './source-from-config.ts';
import { createPoolFetch } from './upstream/pool-fetch.ts';

export interface ServeOptions {
  /** Variables as in docs/companion.md (PORT, HOST, TILES_DIR, USE_S3, ...). */
  env: Record<string, string | undefined>;
  /** Folder of the page to serve beside the API; omitted, only the API. */
  staticDir?: string;
  /** One structured line per request. */
  log?: RequestLog;
}

export interface ServingCompanion {
  url: string;
  config: CompanionConfig;
  /** The configuration with secrets replaced by whether they are set. */
  described: Record<string, unknown>;
  close(): Promise<void>;
}

export async function serveCompanion(options: ServeOptions): Promise<ServingCompanion> {
  const config = loadConfig(options.env);
  const pool = createPoolFetch({
    connections: config.upstreamConnections,
    timeoutMs: config.upstreamTimeoutMs,
    keepAliveMs: DEFAULTS.upstreamKeepAliveMs,
  });
  let companion;
  try {
    companion = await startCompanion({
      source: sourceFromConfig(config.source, pool.fetch, upstreamSettings(config.upstreamTimeoutMs)),
      port: config.port,
      host: config.host,
      ...(options.staticDir ? { staticDir: options.staticDir } : {}),
      cacheMaxBytes: config.tileCacheMaxBytes,
      authToken: config.authToken,
      adminToken: config.adminToken,
      corsOrigins: config.corsOrigins,
      layouts: config.datasetLayouts,
      ...(options.log ? { log: options.log } : {}),
    });
  } catch (error) {
    await pool.close();
    throw error;
  }
  return {
    url: companion.url,
    config,
    described: describeConfig(config),
    close: async () => {
      await companion.close();
      await pool.close();
    },
  };
}

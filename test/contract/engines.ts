/**
 * The two engines the contract suite runs against, started the same way a
 * user runs them and talked to over real sockets on 127.0.0.1:
 * - `node`: the Node companion (startCompanion) reading R2 through its
 *   public-URL source and the undici pool, from a local HTTP server that
 *   serves the bucket's objects and counts every GET it receives;
 * - `workers`: the Worker bundle (wrangler's build of workers-entry.ts) in
 *   workerd through Miniflare, with a local R2 bucket filled with the same
 *   objects and Miniflare's implementation of `caches.default`.
 */
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { Miniflare } from 'miniflare';
import { startCompanion } from '../../src/server/node-server.ts';
import type { CacheStatsBody } from '../../src/server/routes/cache-routes.ts';
import { R2PublicUrlSource } from '../../src/server/sources/r2-public-url.ts';
import { upstreamSettings } from '../../src/server/source-from-config.ts';
import { HttpUpstream } from '../../src/server/upstream/http-upstream.ts';
import { createPoolFetch } from '../../src/server/upstream/pool-fetch.ts';
import { startFakeUpstream } from '../support/fake-upstream.ts';

export type EngineName = 'node' | 'workers';

export interface EngineSettings {
  authToken: string;
  adminToken: string;
  corsOrigins: string[];
}

export interface RunningEngine {
  name: EngineName;
  url: string;
  /**
   * Reads of tile objects that reached R2 so far. Node: GETs the upstream
   * server received (info.json excluded). Workers: lookups that
   * `caches.default` could not answer, each followed by one R2 `get()`
   * (the Worker's own edge counter: workerd offers no hook on its R2).
   * info.json reads are left out on both sides: they recur every few
   * seconds (the info TTL), so counting them would make counts depend on time.
   */
  r2TileReads(): Promise<number>;
  stop(): Promise<void>;
}

export async function startNodeEngine(objects: Map<string, Uint8Array>, settings: EngineSettings): Promise<RunningEngine> {
  const upstream = await startFakeUpstream({ objects });
  const pool = createPoolFetch({ connections: 16, timeoutMs: 10_000, keepAliveMs: 5_000 });
  const companion = await startCompanion({
    source: new R2PublicUrlSource(`${upstream.url}/`, new HttpUpstream({ ...upstreamSettings(10_000), fetch: pool.fetch })),
    ...settings,
  });
  return {
    name: 'node',
    url: companion.url,
    r2TileReads: async () => upstream.gets.filter((path) => !path.endsWith('/info.json')).length,
    stop: async () => {
      await companion.close();
      await pool.close();
      await upstream.close();
    },
  };
}

export async function startWorkersEngine(objects: Map<string, Uint8Array>, settings: EngineSettings, scriptPath: string): Promise<RunningEngine> {
  const mf = new Miniflare({
    modules: true,
    scriptPath,
    // Module names are paths below this root; the bundle lives in a temp folder outside the repository.
    modulesRoot: dirname(scriptPath),
    compatibilityDate: '2026-04-26',
    r2Buckets: ['TILES'],
    bindings: {
      AUTH_TOKEN: settings.authToken,
      ADMIN_TOKEN: settings.adminToken,
      CORS_ORIGINS: settings.corsOrigins.join(','),
      LOG_REQUESTS: 'false',
    },
    host: '127.0.0.1',
    port: 0,
    // workerd's own stdout/stderr: drained, so a chatty runtime never blocks the test.
    handleRuntimeStdio: (stdout: Readable, stderr: Readable) => {
      stdout.resume();
      stderr.resume();
    },
  });
  const url = (await mf.ready).origin;
  const bucket = await mf.getR2Bucket('TILES');
  for (const [key, bytes] of objects) await bucket.put(key, bytes);
  const r2TileReads = async () => {
    const response = await fetch(`${url}/api/tiles/any/cache-stats`, { headers: { Authorization: `Bearer ${settings.authToken}` } });
    return ((await response.json()) as CacheStatsBody).all.edgeCache!.misses;
  };
  return { name: 'workers', url, r2TileReads, stop: () => mf.dispose() };
}

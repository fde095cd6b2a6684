/**
 * The companion as a Cloudflare Worker: the same `createApp`, reading R2
 * through the `TILES` bucket binding. Configuration comes from the Worker's
 * vars and secrets (AUTH_TOKEN, ADMIN_TOKEN, CORS_ORIGINS, TILE_CACHE_MAX_BYTES),
 * checked by the same config.ts as under Node. The app (and its memory cache)
 * lives as long as the isolate; R2 and the edge cache do the rest.
 *
 * wrangler.toml: main = "src/server/workers-entry.ts", and
 *   [[r2_buckets]] binding = "TILES", bucket_name = "<your bucket>"
 */
import { createApp, type CompanionApp } from './app.ts';
import { loadConfig } from './config.ts';
import { R2BindingSource, type R2BucketLike } from './sources/r2-binding.ts';

export interface WorkerEnv {
  TILES: R2BucketLike;
  AUTH_TOKEN?: string;
  ADMIN_TOKEN?: string;
  CORS_ORIGINS?: string;
  TILE_CACHE_MAX_BYTES?: string;
}

const CONFIG_VARS = ['AUTH_TOKEN', 'ADMIN_TOKEN', 'CORS_ORIGINS', 'TILE_CACHE_MAX_BYTES'] as const;

/** One app per bucket binding object: an isolate normally sees just one. */
const apps = new WeakMap<R2BucketLike, CompanionApp>();

export function appFor(env: WorkerEnv): CompanionApp {
  let companion = apps.get(env.TILES);
  if (!companion) {
    if (!env.TILES || typeof env.TILES.get !== 'function') {
      throw new Error('The Worker has no R2 binding named TILES: add [[r2_buckets]] binding = "TILES" to wrangler.toml.');
    }
    const vars: Record<string, string | undefined> = {};
    for (const name of CONFIG_VARS) vars[name] = env[name];
    const config = loadConfig(vars);
    companion = createApp({
      source: new R2BindingSource(env.TILES),
      cacheMaxBytes: config.tileCacheMaxBytes,
      authToken: config.authToken,
      adminToken: config.adminToken,
      corsOrigins: config.corsOrigins,
      log: (line) => console.log(JSON.stringify(line)),
    });
    apps.set(env.TILES, companion);
  }
  return companion;
}

export default {
  fetch(request: Request, env: WorkerEnv): Response | Promise<Response> {
    return appFor(env).app.fetch(request, env);
  },
};

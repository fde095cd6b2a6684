/**
 * The companion as a Cloudflare Worker: the same `createApp`, reading R2
 * through the `TILES` bucket binding, with `caches.default` as a shared tier
 * between the isolate's memory and R2 (workers/edge-cache.ts). Configuration
 * comes from the Worker's vars and secrets, validated once by
 * workers/worker-config.ts (which reuses config.ts). The app and its memory
 * cache live as long as the isolate. wrangler.toml at the repository root
 * binds TILES and serves the built demo (`dist/`) as static assets.
 *
 * Only web-standard and Workers APIs are reachable from here: `npm run
 * deploy:workers -- --dry-run --outdir` bundles it, and the contract suite
 * (test/contract) runs that bundle in workerd.
 */
import { BATCH_CONTENT_TYPE } from '../shared/batch-protocol.ts';
import { createApp, type CompanionApp } from './app.ts';
import { R2BindingSource, type R2BucketLike } from './sources/r2-binding.ts';
import { EdgeCache, type EdgeCacheStore } from './workers/edge-cache.ts';
import { EdgeCachedSource } from './workers/edge-cached-source.ts';
import { loadWorkerConfig, WORKER_VARS, type WorkerVars } from './workers/worker-config.ts';

export interface WorkerEnv extends WorkerVars {
  TILES: R2BucketLike;
}

/** The slice of the Workers `ExecutionContext` used. */
export interface WorkerContext {
  waitUntil(promise: Promise<unknown>): void;
}

export interface WorkerCompanion extends CompanionApp {
  edge: EdgeCache;
}

/** Where no Cache API exists (Node tests): every lookup misses and nothing is kept. */
const NO_EDGE: EdgeCacheStore = { match: async () => undefined, put: async () => undefined };

function defaultEdgeStore(): EdgeCacheStore {
  const caches = (globalThis as { caches?: { default?: EdgeCacheStore } }).caches;
  return caches?.default ?? NO_EDGE;
}

/** One app per bucket binding object: an isolate normally sees just one. */
const companions = new WeakMap<R2BucketLike, WorkerCompanion>();

export function appFor(env: WorkerEnv, edgeStore: EdgeCacheStore = defaultEdgeStore()): WorkerCompanion {
  let companion = companions.get(env.TILES);
  if (!companion) {
    if (!env.TILES || typeof env.TILES.get !== 'function') {
      throw new Error('The Worker has no R2 binding named TILES: add [[r2_buckets]] binding = "TILES" to wrangler.toml.');
    }
    const vars: WorkerVars = {};
    for (const name of WORKER_VARS) vars[name] = env[name];
    const config = loadWorkerConfig(vars);
    const edge = new EdgeCache(edgeStore, { ttlSeconds: config.edgeCacheTtlSeconds, absentTtlSeconds: config.edgeAbsentTtlSeconds });
    const app = createApp({
      source: new EdgeCachedSource(new R2BindingSource(env.TILES), edge),
      cacheMaxBytes: config.tileCacheMaxBytes,
      authToken: config.authToken,
      adminToken: config.adminToken,
      corsOrigins: config.corsOrigins,
      ...(config.logRequests ? { log: (line) => console.log(JSON.stringify(line)) } : {}),
    });
    companion = { ...app, edge };
    companions.set(env.TILES, companion);
  }
  return companion;
}

/**
 * A batch (binary or JSON) streams its tiles after the handler has returned,
 * and each may start an edge write; the body is watched so `waitUntil`
 * covers the writes of the whole response, not just those before its head.
 */
function watchBody(response: Response): { response: Response; ended: Promise<void> } {
  if (!response.body) return { response, ended: Promise.resolve() };
  let ended!: () => void;
  const done = new Promise<void>((resolve) => (ended = resolve));
  const body = response.body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({ flush: () => ended() }));
  // A client that goes away cancels the stream instead of flushing it: waitUntil's own 30 s bound ends the wait.
  return { response: new Response(body, response), ended: done };
}

export default {
  async fetch(request: Request, env: WorkerEnv, ctx?: WorkerContext): Promise<Response> {
    const companion = appFor(env);
    companion.edge.useOrigin(new URL(request.url).origin);
    const { response, ended } = watchBody(await companion.app.fetch(request, env));
    ctx?.waitUntil(ended.then(() => companion.edge.whenIdle()));
    return response;
  },
};

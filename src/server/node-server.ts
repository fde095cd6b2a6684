/**
 * The Node adapter: the web-standard app on a socket, plus the built page
 * (`dist/`) from the same origin so the service worker can control it.
 * Tests, benchmarks and `npm start` all start the companion through here.
 */
import { createSecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { createApp, type AppOptions, type CompanionApp } from './app.ts';
import { DEFAULTS } from './defaults.ts';
import { LoopLag } from './loop-lag.ts';

/**
 * Socket timeouts, set deliberately (Node's defaults hold a slow client for
 * minutes): headers must arrive within `headersTimeoutMs`, the whole request
 * within `requestTimeoutMs` (a slow-body client is cut off there), an idle
 * keep-alive socket closes after `keepAliveTimeoutMs`, and a socket with no
 * traffic either way (a client that stopped reading a batch) after
 * `socketIdleTimeoutMs`, which also ends its stream and frees its slot.
 */
export interface ServerTimeouts {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  socketIdleTimeoutMs: number;
}

export interface CompanionServerOptions extends AppOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** Folder of the built page; omitted, only the API is served. */
  staticDir?: string;
  /**
   * Tests only: sees each request first and may answer it instead (to make an
   * endpoint fail, or count what reaches the socket). Undefined passes it on.
   */
  intercept?: (request: Request) => Response | undefined | Promise<Response | undefined>;
  /**
   * PEM key and certificate: serve HTTPS with HTTP/2 (HTTP/1.1 still allowed),
   * which lifts the browser's six-connections-per-host limit. The bench uses it.
   */
  tls?: { key: string; cert: string };
  /** Defaults in defaults.ts. */
  timeouts?: Partial<ServerTimeouts>;
}

export interface RunningCompanion extends CompanionApp {
  url: string;
  close(): Promise<void>;
}

/** What @hono/node-server passes as the app's env: the Node request it came from. */
interface NodeEnv {
  incoming?: { socket?: object; stream?: { session?: object } };
}

/** Which requests are the first on their connection (HTTP/1.1 keep-alive, or an HTTP/2 session). */
class FirstRequests {
  readonly #seen = new WeakSet<object>();
  readonly #first = new WeakSet<Request>();

  note(request: Request, env: NodeEnv): void {
    // HTTP/2: one session carries every stream of the connection.
    const socket = env?.incoming?.stream?.session ?? env?.incoming?.socket;
    if (!socket || this.#seen.has(socket)) return;
    this.#seen.add(socket);
    this.#first.add(request);
  }

  isFirst(request: Request): boolean {
    return this.#first.has(request);
  }
}

function withStaticPage(api: Hono, root: string): Hono {
  const site = new Hono();
  site.route('/', api);
  site.use('*', async (c, next) => {
    await next();
    const path = new URL(c.req.url).pathname;
    if (path.startsWith('/api/')) return;
    // The worker script and the page must be revalidated so an update lands
    // on the next load; hashed assets never change.
    if (path.startsWith('/assets/')) c.header('Cache-Control', 'public, max-age=31536000, immutable');
    else c.header('Cache-Control', 'no-cache');
  });
  site.use('*', serveStatic({ root }));
  return site;
}

export async function startCompanion(options: CompanionServerOptions): Promise<RunningCompanion> {
  // Measured here, not in the app: only Node has a loop that accepts one connection per turn.
  const lag = new LoopLag();
  const connections = new FirstRequests();
  const companion = createApp({ loopLagMs: () => lag.lagMs(), firstOnConnection: (request) => connections.isFirst(request), ...options });
  const site = options.staticDir ? withStaticPage(companion.app, options.staticDir) : companion.app;
  const host = options.host ?? '127.0.0.1';
  const { intercept } = options;
  const fetch = async (request: Request, env: NodeEnv) => {
    connections.note(request, env);
    return (intercept ? await intercept(request) : undefined) ?? site.fetch(request, env);
  };
  const timeouts: ServerTimeouts = {
    headersTimeoutMs: DEFAULTS.headersTimeoutMs,
    requestTimeoutMs: DEFAULTS.requestTimeoutMs,
    keepAliveTimeoutMs: DEFAULTS.keepAliveTimeoutMs,
    socketIdleTimeoutMs: DEFAULTS.socketIdleTimeoutMs,
    ...options.timeouts,
  };
  const tls = options.tls
    ? { createServer: createSecureServer, serverOptions: { ...options.tls, allowHTTP1: true } }
    : {
        serverOptions: {
          headersTimeout: timeouts.headersTimeoutMs,
          requestTimeout: timeouts.requestTimeoutMs,
          keepAliveTimeout: timeouts.keepAliveTimeoutMs,
          // How often Node checks the two timeouts above (its default, 30 s, would make them late by that much).
          connectionsCheckingInterval: Math.min(1_000, timeouts.headersTimeoutMs),
        },
      };
  // A listen error (port in use, host not local) rejects here instead of crashing the process.
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch, port: options.port ?? 0, hostname: host, ...tls }, () => {
      s.off('error', reject);
      resolve(s);
    });
    s.once('error', reject);
  });
  // Without a 'timeout' listener, Node destroys a socket idle this long (its stream is then cancelled).
  server.setTimeout(timeouts.socketIdleTimeoutMs);
  if ('keepAliveTimeout' in server) server.keepAliveTimeout = timeouts.keepAliveTimeoutMs;
  lag.start();
  const { port } = server.address() as AddressInfo;
  return {
    ...companion,
    url: `${options.tls ? 'https' : 'http'}://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        lag.stop();
        if ('closeAllConnections' in server) server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

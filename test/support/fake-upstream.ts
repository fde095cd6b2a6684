/**
 * A local HTTP upstream on 127.0.0.1 that counts every request it receives,
 * and can misbehave on cue (delay, fail with a status, or never answer).
 * Either it forwards to a real server (s3rver: the Host header is kept, so
 * SigV4 signatures still verify), or it serves objects from a map (R2's
 * public URL). Counting here is counting at the upstream: nothing of ours is faked.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface Misbehaviour {
  delayMs?: number;
  status?: number;
  /** Never answer (the client's timeout or abort ends it). */
  hang?: boolean;
}

export interface FakeUpstreamOptions {
  /** Forward to this origin (e.g. s3rver's endpoint)… */
  target?: string;
  /** …or serve these objects, keyed by path without the leading slash. */
  objects?: Map<string, Uint8Array>;
  /** Decides per request; `nth` counts earlier GETs of the same path (0 for the first). */
  behave?: (path: string, nth: number) => Misbehaviour | undefined;
}

export interface FakeUpstream {
  url: string;
  /** Paths of the GETs received, in arrival order (query strings dropped). */
  readonly gets: string[];
  getsOf(path: string): number;
  reset(): void;
  close(): Promise<void>;
}

export async function startFakeUpstream(options: FakeUpstreamOptions): Promise<FakeUpstream> {
  const gets: string[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<ReturnType<typeof setTimeout>>();

  const answer = (req: IncomingMessage, res: ServerResponse, path: string) => {
    if (options.target) {
      const target = new URL(req.url ?? '/', options.target);
      const upstream = httpRequest(target, { method: req.method, headers: req.headers }, (answerFromTarget) => {
        res.writeHead(answerFromTarget.statusCode ?? 502, answerFromTarget.headers);
        answerFromTarget.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
      return;
    }
    const bytes = options.objects?.get(decodeURIComponent(path.slice(1)));
    if (!bytes) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': bytes.length, ETag: `"${bytes.length}-${bytes[0]}-${bytes[bytes.length - 1]}"` });
    res.end(bytes);
  };

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    let nth = 0;
    if (req.method === 'GET') {
      nth = gets.filter((p) => p === path).length;
      gets.push(path);
    }
    const how = req.method === 'GET' ? options.behave?.(path, nth) : undefined;
    if (how?.hang) return;
    const go = () => {
      if (how?.status) res.writeHead(how.status, { 'Content-Type': 'text/plain' }).end(`injected ${how.status}`);
      else answer(req, res, path);
    };
    if (how?.delayMs) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        go();
      }, how.delayMs);
      timers.add(timer);
    } else go();
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    gets,
    getsOf: (path) => gets.filter((p) => p === path).length,
    reset: () => {
      gets.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

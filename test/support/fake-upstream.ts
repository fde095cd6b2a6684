/**
 * A local HTTP upstream on 127.0.0.1 that counts every request it receives,
 * and injects faults on cue: error statuses (with Retry-After), connection
 * resets, stalls, bodies cut short with and without Content-Length, HTML or
 * empty 200s, latency spikes, odd metadata (huge ETag, wrong Content-Type).
 * Either it forwards to a real server (s3rver: the Host header is kept, so
 * SigV4 signatures still verify, and the real answer is then tampered with),
 * or it serves objects from a map (R2's public URL). Counting here is
 * counting at the upstream: nothing of ours is faked.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface Misbehaviour {
  /** Answer (or misbehave) only after this long: a latency spike. */
  delayMs?: number;
  /** Answer this status with a short text body… */
  status?: number;
  /** …and this Retry-After header (e.g. with 429 or 503). */
  retryAfter?: string;
  /** Never answer (the client's timeout or abort ends it). */
  hang?: boolean;
  /** Cut the connection without an answer. */
  reset?: boolean;
  /** Send the headers and half the body, then cut the connection: with the full Content-Length declared, or chunked. */
  truncate?: 'declared' | 'chunked';
  /** 200 with an HTML error page, served as text/html. */
  html?: boolean;
  /** 200 with an empty body. */
  empty?: boolean;
  /** Replace the ETag header / the Content-Type header of the real answer. */
  etag?: string;
  contentType?: string;
}

export type Behave = (path: string, nth: number) => Misbehaviour | undefined;

export interface FakeUpstreamOptions {
  /** Forward to this origin (e.g. s3rver's endpoint)… */
  target?: string;
  /** …or serve these objects, keyed by path without the leading slash. */
  objects?: Map<string, Uint8Array>;
  /** Decides per request; `nth` counts earlier GETs of the same path (0 for the first). */
  behave?: Behave;
}

export interface FakeUpstream {
  url: string;
  /** Paths of the GETs received, in arrival order (query strings dropped). */
  readonly gets: string[];
  getsOf(path: string): number;
  /** Replaces the fault plan (undefined: behave well from now on). */
  setBehave(behave: Behave | undefined): void;
  reset(): void;
  close(): Promise<void>;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | number>;
  body: Uint8Array;
}

export const HTML_ERROR_PAGE = '<!DOCTYPE html><html><head><title>Error</title></head><body><h1>Service temporarily unavailable</h1></body></html>';

export async function startFakeUpstream(options: FakeUpstreamOptions): Promise<FakeUpstream> {
  const gets: string[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let behave = options.behave;

  const fromTarget = (req: IncomingMessage, body: Buffer) =>
    new Promise<Answer>((resolve, reject) => {
      const target = new URL(req.url ?? '/', options.target);
      const upstream = httpRequest(target, { method: req.method, headers: req.headers }, (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const headers = { ...answer.headers } as Answer['headers'];
          delete headers['transfer-encoding'];
          resolve({ status: answer.statusCode ?? 502, headers, body: Buffer.concat(chunks) });
        });
        answer.on('error', reject);
      });
      upstream.on('error', reject);
      upstream.end(body);
    });

  const fromObjects = (path: string): Answer => {
    const bytes = options.objects?.get(decodeURIComponent(path.slice(1)));
    if (!bytes) return { status: 404, headers: { 'Content-Type': 'text/plain' }, body: new TextEncoder().encode('not found') };
    return {
      status: 200,
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': bytes.length, ETag: `"${bytes.length}-${bytes[0]}-${bytes[bytes.length - 1]}"` },
      body: bytes,
    };
  };

  const send = (res: ServerResponse, answer: Answer, how: Misbehaviour | undefined) => {
    const headers: Answer['headers'] = {};
    // Header names normalised to lower case, so overrides replace rather than duplicate.
    for (const [name, value] of Object.entries(answer.headers)) headers[name.toLowerCase()] = value;
    let body = answer.body;
    if (how?.etag !== undefined) headers.etag = how.etag;
    if (how?.contentType !== undefined) headers['content-type'] = how.contentType;
    if (how?.html) {
      body = new TextEncoder().encode(HTML_ERROR_PAGE);
      headers['content-type'] = 'text/html; charset=utf-8';
      delete headers.etag;
    }
    if (how?.empty) body = new Uint8Array(0);
    if (how?.truncate) {
      if (how.truncate === 'declared') headers['content-length'] = body.length;
      else delete headers['content-length'];
      res.writeHead(answer.status, headers);
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.destroy());
      return;
    }
    headers['content-length'] = body.length;
    res.writeHead(answer.status, headers);
    res.end(body);
  };

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    let nth = 0;
    if (req.method === 'GET') {
      nth = gets.filter((p) => p === path).length;
      gets.push(path);
    }
    const how = req.method === 'GET' ? behave?.(path, nth) : undefined;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (how?.hang) return;
      const go = () => {
        if (how?.reset) {
          req.socket.destroy();
          return;
        }
        if (how?.status) {
          const headers: Record<string, string> = { 'Content-Type': 'text/plain' };
          if (how.retryAfter !== undefined) headers['Retry-After'] = how.retryAfter;
          res.writeHead(how.status, headers).end(`injected ${how.status}`);
          return;
        }
        if (options.target) {
          fromTarget(req, Buffer.concat(chunks)).then(
            (answer) => send(res, answer, how),
            () => res.destroy(),
          );
        } else send(res, fromObjects(path), how);
      };
      if (how?.delayMs) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          go();
        }, how.delayMs);
        timers.add(timer);
      } else go();
    });
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
    setBehave: (next) => {
      behave = next;
    },
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

/**
 * A plain static file server on 127.0.0.1, as a pyramid host would be (a
 * bucket's public URL, a CDN): files of one folder, CORS for any origin
 * (Authorization allowed, ETag exposed), a strong ETag from the content and
 * Last-Modified from the file's mtime, 304 for a matching If-None-Match.
 * Every request is recorded (method, path, Authorization), so tests count
 * what reached the host. `handle` serves the same files inside another server
 * (the same-origin case).
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';

export interface HostRequest {
  method: string;
  path: string;
  authorization: string | null;
  conditional: boolean;
  status: number;
}

const TYPES: Record<string, string> = { '.jpeg': 'image/jpeg', '.jpg': 'image/jpeg', '.png': 'image/png', '.webp': 'image/webp', '.dzi': 'application/xml', '.xml': 'application/xml', '.json': 'application/json' };

export interface StaticHost {
  requests: HostRequest[];
  /** GETs whose path matches (e.g. tiles: /_files\//). */
  gets(pattern: RegExp): HostRequest[];
  /** Answers a request for a file below `prefix` (stripped first), or undefined for other paths. */
  handle(request: Request, prefix?: string): Promise<Response | undefined>;
}

export function staticHost(root: string): StaticHost {
  const requests: HostRequest[] = [];
  const host: StaticHost = {
    requests,
    gets: (pattern) => requests.filter((r) => r.method === 'GET' && pattern.test(r.path)),
    async handle(request, prefix = '') {
      const url = new URL(request.url);
      if (!url.pathname.startsWith(prefix)) return undefined;
      const path = decodeURIComponent(url.pathname.slice(prefix.length));
      const record: HostRequest = { method: request.method, path, authorization: request.headers.get('Authorization'), conditional: request.headers.has('If-None-Match'), status: 0 };
      requests.push(record);
      const cors = {
        'Access-Control-Allow-Origin': '*',
        'Access-Control-Allow-Headers': 'Authorization, If-None-Match, Content-Type',
        'Access-Control-Expose-Headers': 'ETag, Last-Modified, Content-Length',
      };
      const answer = (status: number, body: Uint8Array | null, headers: Record<string, string> = {}) => {
        record.status = status;
        return new Response(body as BodyInit | null, { status, headers: { ...cors, ...headers } });
      };
      if (request.method === 'OPTIONS') return answer(204, null, { 'Access-Control-Allow-Methods': 'GET, HEAD' });
      const file = normalize(join(root, path));
      if (!file.startsWith(normalize(root))) return answer(403, null);
      try {
        const [bytes, info] = await Promise.all([readFile(file), stat(file)]);
        const etag = `"${createHash('sha1').update(bytes).digest('hex')}"`;
        const headers = { ETag: etag, 'Last-Modified': info.mtime.toUTCString(), 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache' };
        if (request.headers.get('If-None-Match') === etag) return answer(304, null, headers);
        return answer(200, new Uint8Array(bytes), { ...headers, 'Content-Length': String(bytes.length) });
      } catch {
        return answer(404, null);
      }
    },
  };
  return host;
}

export interface RunningStaticServer extends StaticHost {
  url: string;
  close(): Promise<void>;
}

export async function startStaticServer(root: string): Promise<RunningStaticServer> {
  const host = staticHost(root);
  const server: Server = createServer((req, res) => {
    const request = new Request(`http://127.0.0.1${req.url}`, { method: req.method, headers: req.headers as Record<string, string> });
    void host.handle(request).then(async (response) => {
      const r = response ?? new Response(null, { status: 404 });
      res.writeHead(r.status, Object.fromEntries(r.headers));
      res.end(Buffer.from(await r.arrayBuffer()));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    ...host,
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/**
 * A tiny client for single objects over the S3 API (R2, AWS, s3rver):
 * GET, HEAD and PUT, SigV4-signed with aws4fetch, path-style URLs
 * (`{endpoint}/{bucket}/{key}`). `fetch` is injected, so the uploader, the
 * companion's R2 source and tests each bring their own (undici pool, counting
 * wrapper, plain global fetch). Foreign failures become TileErrors here.
 */
import { AwsClient } from 'aws4fetch';
import { XMLParser } from 'fast-xml-parser';
import { TileError } from './errors.ts';

export type FetchLike = (request: Request, init?: RequestInit) => Promise<Response>;

export interface S3ObjectsOptions {
  /** e.g. https://ACCOUNT.r2.cloudflarestorage.com or http://127.0.0.1:4568 */
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** R2 wants "auto"; s3rver accepts anything. */
  region?: string;
  fetch?: FetchLike;
  /** Per request, headers and body included. */
  timeoutMs?: number;
}

export interface ObjectHead {
  size: number;
  /** Quoted, as sent by the server; the MD5 in hex for single-part uploads. */
  etag: string | null;
}

export interface ObjectBody {
  bytes: Uint8Array<ArrayBuffer>;
  contentType: string;
  etag: string;
}

export interface PutOptions {
  contentType: string;
  cacheControl: string;
}

export const DEFAULT_S3_TIMEOUT_MS = 30_000;

/** A non-2xx answer from the S3 API; `upstreamStatus` lets callers decide to retry. */
export class S3StatusError extends TileError {
  constructor(
    readonly upstreamStatus: number,
    method: string,
    key: string,
  ) {
    super('UPSTREAM_ERROR', `S3 ${method} ${key} answered HTTP ${upstreamStatus}; check the bucket name, credentials and endpoint.`);
  }
}

/** Server trouble worth another try: timeouts, dropped connections, 5xx and 429. */
export function isRetryableS3Error(error: unknown): boolean {
  if (error instanceof S3StatusError) return error.upstreamStatus >= 500 || error.upstreamStatus === 429;
  return error instanceof TileError && (error.code === 'UPSTREAM_TIMEOUT' || error.code === 'UPSTREAM_ERROR');
}

export class S3Objects {
  private readonly client: AwsClient;
  private readonly base: string;
  private readonly fetch: FetchLike;
  private readonly timeoutMs: number;

  constructor(options: S3ObjectsOptions) {
    this.client = new AwsClient({
      accessKeyId: options.accessKeyId,
      secretAccessKey: options.secretAccessKey,
      service: 's3',
      region: options.region ?? 'auto',
    });
    this.base = `${options.endpoint.replace(/\/+$/, '')}/${encodeURIComponent(options.bucket)}`;
    this.fetch = options.fetch ?? ((request, init) => globalThis.fetch(request, init));
    this.timeoutMs = options.timeoutMs ?? DEFAULT_S3_TIMEOUT_MS;
  }

  urlFor(key: string): string {
    return `${this.base}/${key.split('/').map(encodeURIComponent).join('/')}`;
  }

  /** The object's bytes, or null when it does not exist. */
  async get(key: string, signal?: AbortSignal): Promise<ObjectBody | null> {
    return this.send('GET', key, {}, signal, async (response) => ({
      bytes: new Uint8Array(await response.arrayBuffer()),
      contentType: response.headers.get('content-type') ?? 'application/octet-stream',
      etag: response.headers.get('etag') ?? '',
    }));
  }

  /** Size and ETag, or null when the object does not exist. */
  async head(key: string, signal?: AbortSignal): Promise<ObjectHead | null> {
    return this.send('HEAD', key, {}, signal, async (response) => ({
      size: Number(response.headers.get('content-length') ?? -1),
      etag: response.headers.get('etag'),
    }));
  }

  /**
   * Keys (with size and ETag) below `prefix`, via ListObjectsV2, at most
   * `maxKeys` of them (pages of 1000 are followed while the listing is truncated).
   */
  async list(prefix: string, maxKeys = 1_000_000, signal?: AbortSignal): Promise<Array<{ key: string; size: number; etag: string }>> {
    const keys: Array<{ key: string; size: number; etag: string }> = [];
    let token: string | undefined;
    do {
      const query = new URLSearchParams({ 'list-type': '2', prefix, ...(token ? { 'continuation-token': token } : {}) });
      const timeout = AbortSignal.timeout(this.timeoutMs);
      const request = await this.client.sign(`${this.base}?${query}`, { method: 'GET' });
      let response: Response;
      try {
        response = await this.fetch(request, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
      } catch (error) {
        throw new TileError(timeout.aborted ? 'UPSTREAM_TIMEOUT' : 'UPSTREAM_ERROR', `S3 LIST ${prefix} failed (${(error as Error).message}).`, { cause: error });
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw new S3StatusError(response.status, 'LIST', prefix);
      }
      const page = listPage(await response.text());
      keys.push(...page.keys);
      token = page.next;
    } while (token && keys.length < maxKeys);
    return keys.slice(0, maxKeys);
  }

  /** Stores the bytes; resolves to the ETag the server gave them. */
  async put(key: string, body: Uint8Array<ArrayBuffer>, options: PutOptions, signal?: AbortSignal): Promise<string> {
    const init: RequestInit = {
      body,
      headers: { 'Content-Type': options.contentType, 'Cache-Control': options.cacheControl },
    };
    const etag = await this.send('PUT', key, init, signal, async (response) => {
      await response.body?.cancel();
      return response.headers.get('etag') ?? '';
    });
    if (etag === null) throw new S3StatusError(404, 'PUT', key);
    return etag;
  }

  private async send<T>(
    method: string,
    key: string,
    init: RequestInit,
    outerSignal: AbortSignal | undefined,
    read: (response: Response) => Promise<T>,
  ): Promise<T | null> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = outerSignal ? AbortSignal.any([outerSignal, timeout]) : timeout;
    try {
      const request = await this.client.sign(this.urlFor(key), { ...init, method });
      const response = await this.fetch(request, { signal });
      if (response.status === 404) {
        await response.body?.cancel();
        return null;
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw new S3StatusError(response.status, method, key);
      }
      return await read(response);
    } catch (error) {
      if (error instanceof TileError) throw error;
      if (timeout.aborted) {
        throw new TileError('UPSTREAM_TIMEOUT', `S3 ${method} ${key} took longer than ${this.timeoutMs} ms.`, { cause: error });
      }
      if (outerSignal?.aborted) throw error;
      throw new TileError('UPSTREAM_ERROR', `S3 ${method} ${key} failed: ${(error as Error).message}`, { cause: error });
    }
  }
}

const listXml = new XMLParser({ parseTagValue: false, isArray: (name) => name === 'Contents' });

/** One ListObjectsV2 page: its keys, and the token of the next page when truncated. */
function listPage(xml: string): { keys: Array<{ key: string; size: number; etag: string }>; next: string | undefined } {
  const result = (listXml.parse(xml) as { ListBucketResult?: Record<string, unknown> }).ListBucketResult ?? {};
  const contents = (result['Contents'] as Array<Record<string, unknown>> | undefined) ?? [];
  const keys = contents.map((c) => ({ key: String(c['Key'] ?? ''), size: Number(c['Size'] ?? 0), etag: String(c['ETag'] ?? '') }));
  const next = result['IsTruncated'] === 'true' && typeof result['NextContinuationToken'] === 'string' ? result['NextContinuationToken'] : undefined;
  return { keys, next };
}

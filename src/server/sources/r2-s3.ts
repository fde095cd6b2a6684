/**
 * R2 through its S3 API: path-style `{S3_ENDPOINT_URL}/{bucket}/{key}`,
 * signed with SigV4 by aws4fetch (region "auto", as R2 expects). Only the
 * signer is used: requests go through the injected upstream, whose retries
 * and hedges replace aws4fetch's own retry loop.
 */
import { AwsV4Signer } from 'aws4fetch';
import type { HttpUpstream } from '../upstream/http-upstream.ts';
import { encodeKey, ObjectStoreSource, type ObjectRequest } from './object-store.ts';

export interface R2S3Options {
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** R2 ignores the region but SigV4 needs one; "auto" is R2's. */
  region?: string;
}

export class R2S3Source extends ObjectStoreSource {
  readonly kind = 'r2-s3';
  readonly #options: R2S3Options;
  readonly #base: string;

  constructor(options: R2S3Options, upstream: HttpUpstream) {
    super(upstream);
    this.#options = options;
    this.#base = `${options.endpoint.replace(/\/+$/, '')}/${encodeURIComponent(options.bucket)}`;
  }

  protected async request(key: string): Promise<ObjectRequest> {
    const signer = new AwsV4Signer({
      method: 'GET',
      url: `${this.#base}/${encodeKey(key)}`,
      accessKeyId: this.#options.accessKeyId,
      secretAccessKey: this.#options.secretAccessKey,
      service: 's3',
      region: this.#options.region ?? 'auto',
    });
    const signed = await signer.sign();
    const headers: Record<string, string> = {};
    signed.headers.forEach((value, name) => {
      headers[name] = value;
    });
    return { url: signed.url.toString(), headers };
  }
}

/**
 * R2 through its public bucket URL (`R2_PUBLIC_URL`, an r2.dev or custom
 * domain): unsigned GETs of `{R2_PUBLIC_URL}/{key}`. Cheaper to run than the
 * S3 API (no signing) and cacheable by Cloudflare's edge.
 */
import type { HttpUpstream } from '../upstream/http-upstream.ts';
import { encodeKey, ObjectStoreSource, type ObjectRequest } from './object-store.ts';

export class R2PublicUrlSource extends ObjectStoreSource {
  readonly kind = 'r2-public-url';
  readonly #base: string;

  constructor(publicUrl: string, upstream: HttpUpstream) {
    super(upstream);
    this.#base = publicUrl.replace(/\/+$/, '');
  }

  protected async request(key: string): Promise<ObjectRequest> {
    return { url: `${this.#base}/${encodeKey(key)}`, headers: {} };
  }
}

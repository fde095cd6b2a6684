/**
 * One page batch: `POST {apiPrefix}{dataset}/batch` with the tiles of a view,
 * read as the companion's binary stream (`shared/batch-protocol.ts`), each
 * tile handed to `onTile` the moment its frame is complete.
 *
 * The request carries `X-Tile-Batch: page` and is otherwise the companion's
 * own batch (same URL, body and Accept), so a service worker may answer it
 * from its tiers and forward only the misses, or let it pass untouched.
 */
import { BATCH_CONTENT_TYPE, PAGE_BATCH_HEADER, readBatchStream } from '../shared/batch-protocol.ts';
import { TileError } from '../shared/errors.ts';

/** Where a source's tiles are batched: the companion's dataset and tile API prefix. */
export interface PageBatchTarget {
  dataset: string;
  /** e.g. `/api/tiles/` (leading and trailing slash). */
  apiPrefix: string;
}


export type TileOutcome = { ok: true; body: Blob } | { ok: false; status: number; message: string };

export interface PageBatchRequest {
  target: PageBatchTarget;
  /** `z/x/y.ext`, unique, at most 100 (the companion's limit). */
  keys: string[];
  signal: AbortSignal;
  fetch: typeof fetch;
}

export function batchUrl(target: PageBatchTarget): string {
  return `${target.apiPrefix}${encodeURIComponent(target.dataset)}/batch`;
}

/**
 * Resolves once the end frame arrived; every key was answered through
 * `onTile` by then, or the promise rejects (HTTP error, network, abort,
 * malformed or truncated stream) and the caller fails whatever is left.
 */
export async function streamPageBatch(request: PageBatchRequest, onTile: (key: string, outcome: TileOutcome) => void): Promise<void> {
  const response = await request.fetch(batchUrl(request.target), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: BATCH_CONTENT_TYPE, [PAGE_BATCH_HEADER]: 'page' },
    body: JSON.stringify({ tiles: request.keys }),
    signal: request.signal,
    // The tiers below (worker, companion) are the cache; a POST is never stored by the HTTP cache anyway.
    cache: 'no-store',
  });
  if (!response.ok || !response.body) {
    throw new TileError('UPSTREAM_ERROR', `Page batch for "${request.target.dataset}" failed with HTTP ${response.status}; tiles retry one by one.`);
  }
  if (!(response.headers.get('Content-Type') ?? '').startsWith(BATCH_CONTENT_TYPE)) {
    throw new TileError('UPSTREAM_ERROR', `Page batch answered ${response.headers.get('Content-Type') ?? 'no content type'}, not ${BATCH_CONTENT_TYPE}: is the companion current?`);
  }
  for await (const frame of readBatchStream(response.body)) {
    if (frame.status === 200 && frame.body.length > 0) {
      onTile(frame.key, { ok: true, body: new Blob([frame.body], { type: frame.contentType }) });
    } else {
      onTile(frame.key, { ok: false, status: frame.status, message: frameMessage(frame.body, frame.status) });
    }
  }
}

function frameMessage(body: Uint8Array, status: number): string {
  try {
    const parsed = JSON.parse(new TextDecoder().decode(body)) as { error?: { message?: string } };
    if (parsed.error?.message) return parsed.error.message;
  } catch {
    // not JSON: fall through to the status
  }
  return `HTTP ${status}`;
}

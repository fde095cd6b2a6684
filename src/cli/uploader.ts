/**
 * Uploads one local pyramid, in any layout the companion serves (own
 * `{dataset}/{z}/{x}/{y}.{ext}` + info.json, DZI `NAME.dzi` + `NAME_files/`,
 * IIIF, Zoomify and vips google folders, a described bare z/x/y folder), under
 * the same keys, and, last and only if every tile made it, its descriptor, so
 * a reader that sees a new version can fetch all of its tiles. A folder with
 * image files that name no tile of the pyramid is refused before any PUT.
 *
 * Resumable: an object whose HEAD shows the same size and an ETag equal to
 * our MD5 (true for single-part PUTs on S3, R2 and s3rver) is skipped, so a
 * rerun after an interruption only sends what is missing or different.
 *
 * Cache-Control: tile keys carry no version, so re-tiling replaces bytes in
 * place and `immutable` would pin stale tiles in browsers and CDNs for a year.
 * Tiles get an hour (the companion's own tile max-age), info.json a minute:
 * it is the version pointer, and readers should notice a new tiling quickly.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import pLimit from 'p-limit';
import { isRetryableS3Error, type S3Objects } from '../shared/s3-objects.ts';
import { contentTypeFor, isTileExtension } from '../shared/tile-key.ts';
import { pyramidFiles } from './pyramid-folder.ts';
import { silentProgress, type Progress } from './progress.ts';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from '../shared/retry.ts';

export const TILE_CACHE_CONTROL = 'public, max-age=3600';
export const INFO_CACHE_CONTROL = 'public, max-age=60';
/** After this many objects failed for good, stop starting new ones: the cause is rarely per-object. */
const FAILURE_LIMIT = 25;
/** Failures logged one by one; the rest are only counted. */
const FAILURES_LOGGED = 5;

export interface UploadOptions {
  readonly datasetDir: string;
  readonly dataset: string;
  readonly objects: S3Objects;
  readonly maxWorkers: number;
  readonly retry?: RetryPolicy;
  readonly progress?: Progress;
  readonly log?: (line: string) => void;
}

export interface UploadSummary {
  uploaded: number;
  skipped: number;
  failed: number;
  /** Objects never tried because too many had failed already. */
  notAttempted: number;
  /** Bytes sent in successful PUTs. */
  bytes: number;
  /** R2 Class A operations sent (PUT requests, retries included). */
  classA: number;
  /** R2 Class B operations sent (HEAD requests, retries included). */
  classB: number;
  /** The bucket's descriptor (info.json, NAME.dzi, ...) now matches the local one (uploaded or already there). */
  infoPublished: boolean;
}

interface Item {
  readonly key: string;
  readonly path: string;
  readonly contentType: string;
  readonly cacheControl: string;
}

const unquote = (etag: string | null): string => (etag ?? '').replace(/"/g, '');

export async function uploadDataset(options: UploadOptions): Promise<UploadSummary> {
  const { objects, dataset } = options;
  const retry = options.retry ?? DEFAULT_RETRY;
  const progress = options.progress ?? silentProgress;
  const log = options.log ?? (() => {});
  // The folder holding every pyramid: datasetDir minus the dataset's own folders (`collections/case-1`).
  const root = resolve(options.datasetDir, ...dataset.split('/').map(() => '..'));
  const files = await pyramidFiles(root, dataset);
  const tiles = files.tiles.map<Item>((key) => ({ key, path: join(root, key), contentType: contentTypeOf(key), cacheControl: TILE_CACHE_CONTROL }));
  const info: Item = { key: files.descriptor, path: join(root, files.descriptor), contentType: contentTypeOf(files.descriptor), cacheControl: INFO_CACHE_CONTROL };
  let totalBytes = 0;
  for (const item of [...tiles, info]) totalBytes += (await stat(item.path)).size;

  const summary: UploadSummary = { uploaded: 0, skipped: 0, failed: 0, notAttempted: 0, bytes: 0, classA: 0, classB: 0, infoPublished: false };
  const hooks = {
    isRetryable: isRetryableS3Error,
    onRetry: (error: unknown, attempt: number, delay: number) =>
      log(`retry ${attempt}/${retry.attempts - 1} in ${delay} ms: ${(error as Error).message}`),
  };

  const transfer = async (item: Item): Promise<void> => {
    let moved = 0;
    try {
      const bytes = new Uint8Array(await readFile(item.path));
      const md5 = createHash('md5').update(bytes).digest('hex');
      const head = await withRetry(retry, hooks, () => {
        summary.classB++;
        return objects.head(item.key);
      });
      if (head && head.size === bytes.byteLength && unquote(head.etag) === md5) {
        summary.skipped++;
        return;
      }
      const etag = await withRetry(retry, hooks, () => {
        summary.classA++;
        return objects.put(item.key, bytes, { contentType: item.contentType, cacheControl: item.cacheControl });
      });
      if (unquote(etag) !== md5) {
        throw new Error(`${item.key}: server ETag ${etag} does not match local MD5 ${md5}; the object may be corrupt`);
      }
      summary.uploaded++;
      summary.bytes += bytes.byteLength;
      moved = bytes.byteLength;
    } catch (error) {
      summary.failed++;
      if (summary.failed <= FAILURES_LOGGED) log(`failed: ${item.key}: ${(error as Error).message}`);
    } finally {
      progress.advance(moved);
    }
  };

  progress.start(tiles.length + 1, totalBytes);
  try {
    // maxWorkers transfers at once; after FAILURE_LIMIT failures the rest are not attempted.
    let started = 0;
    await pLimit(Math.max(1, options.maxWorkers)).map(tiles, async (tile) => {
      if (summary.failed >= FAILURE_LIMIT) return;
      started += 1;
      await transfer(tile);
    });
    summary.notAttempted = tiles.length - started;
    if (summary.failed === 0) {
      await transfer(info);
      summary.infoPublished = summary.failed === 0;
    } else {
      summary.notAttempted++;
      log(`${info.key} not uploaded: ${summary.failed} objects failed; rerun the same command to resume.`);
    }
  } finally {
    progress.stop();
  }
  return summary;
}

function contentTypeOf(key: string): string {
  const ext = (/\.([A-Za-z0-9]+)$/.exec(key)?.[1] ?? '').toLowerCase();
  if (isTileExtension(ext)) return contentTypeFor(ext);
  if (ext === 'json') return 'application/json';
  if (ext === 'xml' || ext === 'dzi') return 'application/xml';
  return 'application/octet-stream';
}

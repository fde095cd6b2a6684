/**
 * Uploads one local dataset folder to a bucket: `{dataset}/{z}/{x}/{y}.{ext}`
 * and, last and only if every tile made it, `{dataset}/info.json`, so a reader
 * that sees a new version can fetch all of its tiles.
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
import { join } from 'node:path';
import pLimit from 'p-limit';
import { isRetryableS3Error, type S3Objects } from '../shared/s3-objects.ts';
import { contentTypeFor } from '../shared/tile-key.ts';
import { CliError } from './cli-error.ts';
import { INFO_FILE, listTileFiles, readInfo } from './dataset-folder.ts';
import { silentProgress, type Progress } from './progress.ts';
import { DEFAULT_RETRY, withRetry, type RetryOptions } from './retry.ts';

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
  readonly retry?: RetryOptions;
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
  /** The bucket's info.json now matches the local one (uploaded or already there). */
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
  if (!(await readInfo(options.datasetDir))) {
    throw new CliError('not-a-dataset', `${options.datasetDir} has no info.json: tile an image into it first (tile-accelerator tile).`);
  }
  const tiles = (await listTileFiles(options.datasetDir)).map<Item>((tile) => ({
    key: `${dataset}/${tile.relativePath}`,
    path: join(options.datasetDir, tile.relativePath),
    contentType: contentTypeFor(tile.ext),
    cacheControl: TILE_CACHE_CONTROL,
  }));
  const info: Item = {
    key: `${dataset}/${INFO_FILE}`,
    path: join(options.datasetDir, INFO_FILE),
    contentType: 'application/json',
    cacheControl: INFO_CACHE_CONTROL,
  };
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
      log(`info.json not uploaded: ${summary.failed} objects failed; rerun the same command to resume.`);
    }
  } finally {
    progress.stop();
  }
  return summary;
}

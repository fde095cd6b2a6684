/**
 * Workarounds for OpenSeadragon 6.1.1's batch and abort defects (fixed
 * upstream in the unreleased openseadragon#2953). Each is on by default and
 * can be turned off alone, so its Playwright test (e2e/page-batching-osd.spec.ts)
 * shows the defect without it, and so a page on a fixed release can drop it.
 *
 * - `timeoutAbort`: a job OSD times out is failed but its request is never
 *   aborted, so it keeps a browser connection (or HTTP/2 stream) until the
 *   server gives up. Here a timed-out batch aborts its fetch, and a timed-out
 *   single tile calls `downloadTileAbort`. (OSD's batch timeout also runs the
 *   batch's completion twice; routing it through the children avoids that.)
 * - `clearStaged`: `ImageLoader.clear()` drops the jobs staged in batch
 *   buckets (and queued batches) without aborting them: their tiles stay
 *   `loading` forever and are never asked for again. OSD calls `clear()` on
 *   every draw, right after the update that staged this frame's tiles, so in
 *   6.1.1 a batched view would never load. Here `clear()` sends the staged jobs
 *   of items still in the world at once (they are this frame's selection; with
 *   `imageLoaderLimit: 0` an unbatched job would already be running) and aborts
 *   the rest, and aborts the children of queued batches, as it does single jobs.
 * - `retriedChild`: a failed batch child that OSD will retry is counted out of
 *   `jobsInProgress` although batch children were never counted in, so the
 *   count drifts below zero (and `imageLoaderLimit` stops limiting). Its
 *   `finish`/`fail` also stay bound to the finished batch, so the retry can
 *   never complete. Here the extra decrement is compensated and the retry gets
 *   the job's own `finish`/`fail` back.
 * - `drainQueue`: when a batch completes the loader frees its slot but does not
 *   start the next queued job, so with `imageLoaderLimit > 0` queued batches
 *   wait for an unrelated job to finish (forever, if every job is batched).
 *   Here the queue is drained after each batch.
 */
import { isBatchJob, type OsdBatchJob, type OsdImageJob, type OsdImageLoader } from './osd-internals.ts';

export const OSD_BATCH_DEFECTS = ['timeoutAbort', 'clearStaged', 'retriedChild', 'drainQueue'] as const;
export type OsdBatchDefect = (typeof OSD_BATCH_DEFECTS)[number];
export type OsdWorkarounds = Record<OsdBatchDefect, boolean>;

/**
 * Fails one still-running child of a running batch. When OSD will retry it
 * (`tries < 1 + tileRetryMax`), its completion decrements `jobsInProgress`
 * for a job that was never counted: count it in first.
 */
export function failChild(loader: OsdImageLoader, batch: OsdBatchJob, job: OsdImageJob, message: string, fix: OsdWorkarounds): void {
  if (!job.jobId || !batch.jobId) return;
  if (fix.retriedChild && job.tries < 1 + loader.tileRetryMax) loader.jobsInProgress += 1;
  job.fail(message, null);
}

/** Gives a retried batch child back its own `finish`/`fail` (OSD left the finished batch's wrappers on it). */
export function releaseRetriedChild(job: OsdImageJob): void {
  if (Object.hasOwn(job, 'finish')) Reflect.deleteProperty(job, 'finish');
  if (Object.hasOwn(job, 'fail')) Reflect.deleteProperty(job, 'fail');
}

/** Starts queued jobs while the loader has room (what OSD does after a single job, not after a batch). */
export function drainQueue(loader: OsdImageLoader): void {
  while (loader.canAcceptNewJob() && loader.jobQueue.length > 0) {
    loader.jobQueue.shift()!.start();
    loader.jobsInProgress += 1;
  }
}

/** Wraps a single job's `fail` so that a timeout (or any failure) also tears its request down. */
export function abortOnFail(job: OsdImageJob): void {
  const fail = job.fail;
  job.fail = function (message, request) {
    job.source.downloadTileAbort(job);
    fail.call(job, message, request);
  };
}

/**
 * Replaces `loader.clear` (an own property; `restore()` puts OSD's back):
 * staged jobs whose tile is still `live` leave as a batch now, the others are
 * aborted; queued batches abort their children; then OSD's clear runs.
 */
export function patchClear(loader: OsdImageLoader, live: (job: OsdImageJob) => boolean): () => void {
  const original = loader.clear;
  loader.clear = function clear(this: OsdImageLoader) {
    for (const bucket of [...(loader._batchBuckets ?? [])]) {
      if (bucket.timer) clearTimeout(bucket.timer);
      const [keep, drop] = partition(bucket.jobs, live);
      for (const job of drop) job.abort?.();
      bucket.jobs = keep;
      if (loader._flushBatchBucket) loader._flushBatchBucket(bucket);
      else for (const job of keep) job.abort?.();
    }
    for (const queued of loader.jobQueue) {
      if (isBatchJob(queued)) for (const job of queued.jobs) job.abort?.();
    }
    original.call(loader);
  };
  return () => {
    Reflect.deleteProperty(loader, 'clear');
    if (loader.clear !== original) loader.clear = original;
  };
}

function partition<T>(items: T[], test: (item: T) => boolean): [T[], T[]] {
  const yes: T[] = [];
  const no: T[] = [];
  for (const item of items) (test(item) ? yes : no).push(item);
  return [yes, no];
}

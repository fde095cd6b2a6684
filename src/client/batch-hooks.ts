/**
 * OpenSeadragon 6's TileSource batch hooks, installed as own properties of one
 * source: the tiles OSD stages together leave as one page batch
 * (`page-batch-request.ts`), and each job is finished the moment its frame
 * arrives (decoded first with `createImageBitmap` when `decode: 'bitmap'`).
 * `downloadTileStart` stays OSD's single-tile path, which OSD uses to retry
 * failed batch jobs. The 6.1.1 defects are handled as `osd-batch-workarounds.ts` says.
 */
import { TileError } from '../shared/errors.ts';
import { streamPageBatch, type PageBatchTarget, type TileOutcome } from './page-batch-request.ts';
import { abortOnFail, drainQueue, failChild, releaseRetriedChild, type OsdWorkarounds } from './osd-batch-workarounds.ts';
import type { OsdBatchJob, OsdImageJob, OsdImageLoader, OsdSource } from './osd-internals.ts';

export interface BatchHookSettings {
  maxTiles: number;
  waitMs: number;
  decode: 'bitmap' | 'blob';
  workarounds: OsdWorkarounds;
  fetch: typeof fetch;
}

/** What the page sent and received; `e2e/page-batching.spec.ts` reads it. */
export interface PageBatchStats {
  batches: number;
  /** Distinct tiles asked for, over all batches. */
  tiles: number;
  /** OSD jobs taken on (a tile two items share is one tile, two jobs); each ends finished or failed. */
  jobs: number;
  finished: number;
  failed: number;
  /** Batches whose request was aborted (OSD timeout or abort). */
  aborted: number;
}

const HOOKS = ['batchEnabled', 'batchCompatible', 'batchMaxJobs', 'batchTimeout', 'downloadTileStart', 'downloadTileBatchStart', 'downloadTileBatchAbort'] as const;

/** Sources batched together must name the same companion dataset. */
const targetKeys = new WeakMap<OsdSource, string>();

interface RunningBatch {
  controller: AbortController;
  jobs: OsdImageJob[];
}

/** Installs the hooks; the returned function puts the source's own methods back. */
export function hookSource(source: OsdSource, loader: OsdImageLoader, target: PageBatchTarget, settings: BatchHookSettings, stats: PageBatchStats): () => void {
  const saved = HOOKS.map((name) => [name, Object.getOwnPropertyDescriptor(source, name)] as const);
  const singleStart = source.downloadTileStart;
  const running = new WeakMap<OsdBatchJob, RunningBatch>();
  const fix = settings.workarounds;
  const key = `${target.apiPrefix}${target.dataset}`;
  targetKeys.set(source, key);

  const fail = (batch: OsdBatchJob, job: OsdImageJob, message: string) => {
    if (job.jobId && batch.jobId) stats.failed += 1;
    failChild(loader, batch, job, message, fix);
  };
  const failAll = (batch: OsdBatchJob, jobs: OsdImageJob[], message: string) => {
    for (const job of jobs) fail(batch, job, message);
  };

  const deliver = (batch: OsdBatchJob, job: OsdImageJob, outcome: TileOutcome) => {
    if (!outcome.ok) return fail(batch, job, `Tile ${job.src}: ${outcome.message}`);
    if (settings.decode === 'blob') {
      stats.finished += 1;
      job.finish(outcome.body, null, 'rasterBlob');
      return;
    }
    // Decoded off the main thread; the job may have been failed or aborted meanwhile.
    createImageBitmap(outcome.body).then(
      (bitmap) => {
        if (!job.jobId || !batch.jobId) return bitmap.close();
        stats.finished += 1;
        job.finish(bitmap, null, 'imageBitmap');
      },
      (error: unknown) => fail(batch, job, `Tile ${job.src} could not be decoded: ${String(error)}`),
    );
  };

  const startBatch = (batch: OsdBatchJob) => {
    const jobs = [...batch.jobs]; // OSD empties batch.jobs when the batch completes
    const controller = new AbortController();
    running.set(batch, { controller, jobs });
    if (fix.timeoutAbort) {
      // OSD's batch timeout calls batch.fail: abort the request too, and fail each child once.
      batch.fail = (message) => {
        if (!controller.signal.aborted) stats.aborted += 1;
        controller.abort();
        failAll(batch, jobs, message);
      };
    }
    if (fix.drainQueue) {
      const complete = batch.callback;
      batch.callback = (job) => {
        complete?.(job);
        drainQueue(loader);
      };
    }
    const waiting = new Map<string, OsdImageJob[]>();
    for (const job of jobs) {
      const name = tileName(job);
      waiting.set(name, [...(waiting.get(name) ?? []), job]);
    }
    stats.batches += 1;
    stats.tiles += waiting.size;
    stats.jobs += jobs.length;
    const onTile = (name: string, outcome: TileOutcome) => {
      const jobsForTile = waiting.get(name);
      waiting.delete(name);
      for (const job of jobsForTile ?? []) deliver(batch, job, outcome);
    };
    streamPageBatch({ target, keys: [...waiting.keys()], signal: controller.signal, fetch: settings.fetch }, onTile)
      .then(() => failAll(batch, [...waiting.values()].flat(), 'Tile missing from its page batch.'))
      .catch((error: unknown) => {
        const reason = error instanceof TileError ? error.message : `Page batch failed: ${String(error)}`;
        failAll(batch, [...waiting.values()].flat(), reason);
      });
  };

  Object.assign(source, {
    batchEnabled: () => true,
    batchCompatible: (other: OsdSource) => other === source || targetKeys.get(other) === key,
    batchMaxJobs: () => settings.maxTiles,
    batchTimeout: () => settings.waitMs,
    downloadTileStart(job: OsdImageJob) {
      if (fix.retriedChild) releaseRetriedChild(job);
      if (fix.timeoutAbort) abortOnFail(job);
      singleStart.call(source, job);
    },
    downloadTileBatchStart: startBatch,
    downloadTileBatchAbort(batch: OsdBatchJob) {
      const run = running.get(batch);
      if (!run) return;
      if (!run.controller.signal.aborted) stats.aborted += 1;
      run.controller.abort();
      failAll(batch, run.jobs, 'Page batch aborted.');
    },
  } satisfies Partial<OsdSource>);

  return () => {
    targetKeys.delete(source);
    for (const [name, descriptor] of saved) {
      Reflect.deleteProperty(source, name);
      if (descriptor) Object.defineProperty(source, name, descriptor);
    }
  };
}

/** `level/x/y.ext`: OSD's level and tile position, the extension of the tile's URL (the companion's tile name). */
export function tileName(job: OsdImageJob): string {
  const ext = /\.([A-Za-z0-9]+)(?:[?#].*)?$/.exec(job.src)?.[1]?.toLowerCase() ?? 'jpg';
  return `${job.tile.level}/${job.tile.x}/${job.tile.y}.${ext}`;
}

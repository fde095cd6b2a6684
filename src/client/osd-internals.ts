/**
 * The parts of OpenSeadragon 6.1.1's ImageLoader, ImageJob and BatchImageJob
 * that page batching touches and its bundled types leave out (`isBatched`,
 * `_batchBuckets`, `tileRetryMax`, the per-job `callback`). Read from
 * node_modules/openseadragon/build/openseadragon/openseadragon.js; keep in
 * step with it when OpenSeadragon is upgraded.
 */

export interface OsdTile {
  level: number;
  x: number;
  y: number;
  loading: boolean;
  tiledImage?: unknown;
}

/** An ImageJob: `jobId` is a timer id while running, -1 inside a batch, null once finished or failed. */
export interface OsdImageJob {
  src: string;
  tile: OsdTile;
  source: OsdSource;
  jobId: number | null;
  tries: number;
  isBatched: boolean;
  userData: Record<string, unknown>;
  /** Before `start()`, the loader's abort option (the tile stops "loading"); after, OSD's own abort. */
  abort?: () => void;
  callback: (job: OsdImageJob) => void;
  start(): void;
  finish(data: unknown, request: unknown, dataType?: string): void;
  fail(message: string, request: unknown): void;
}

export interface OsdBatchJob {
  source: OsdSource;
  jobs: OsdImageJob[];
  jobId: number | null;
  timeout: number;
  callback?: (job: OsdBatchJob) => void;
  abort?: () => void;
  start(): void;
  fail(message: string, request: unknown): void;
}

export interface OsdBucket {
  source: OsdSource;
  jobs: OsdImageJob[];
  timer: ReturnType<typeof setTimeout> | null;
}

export interface OsdImageLoader {
  jobLimit: number;
  jobQueue: Array<OsdImageJob | OsdBatchJob>;
  jobsInProgress: number;
  tileRetryMax: number;
  _batchBuckets?: OsdBucket[];
  _flushBatchBucket?(bucket: OsdBucket): void;
  canAcceptNewJob(): boolean;
  clear(): void;
}

/** The TileSource methods the batch hooks replace (as own properties of the instance). */
export interface OsdSource {
  batchEnabled(): boolean;
  batchCompatible(other: OsdSource): boolean;
  batchMaxJobs(): number;
  batchTimeout(): number;
  downloadTileStart(job: OsdImageJob): void;
  downloadTileAbort(job: OsdImageJob): void;
  downloadTileBatchStart(batch: OsdBatchJob): void;
  downloadTileBatchAbort(batch: OsdBatchJob): void;
  getTileUrl(level: number, x: number, y: number): string | (() => string);
  maxLevel: number;
  minLevel: number;
  [key: string]: unknown;
}

export function isBatchJob(job: OsdImageJob | OsdBatchJob): job is OsdBatchJob {
  return Array.isArray((job as OsdBatchJob).jobs);
}

/**
 * What the tile worker says about itself, and the control messages that ask
 * for it: one typed, versioned shape for the worker (src/sw/control.ts), the
 * page (`requestWorkerReport`, the demo's stats overlay) and the tests. Like
 * view-protocol.ts, a message of another version is refused with a message
 * that says to reload; messages of other protocols are not ours (null).
 *
 *   page -> worker  { protocol, version, type: 'stats' }   answer with the report
 *   page -> worker  { protocol, version, type: 'clear' }   empty memory and IndexedDB, then answer
 *   worker -> page  { protocol, version, type: 'report', request: 'stats' | 'clear', report }
 *
 * The reply goes to the message's port if it has one (a MessageChannel),
 * else to the sending client. Over HTTP, to the worker's own origin:
 * `GET /__tile-accelerator/stats` answers the report (open it in a tab),
 * `POST /__tile-accelerator/clear` answers `{ "cleared": true }`.
 */
import { TileError } from './errors.ts';
import type { Percentiles } from './latency-sample.ts';

export const CONTROL_PROTOCOL = 'tile-accelerator/control';
export const CONTROL_PROTOCOL_VERSION = 1;
/** Path prefix of the worker's virtual endpoints (`stats`, `clear`). */
export const CONTROL_PATH_PREFIX = '/__tile-accelerator/';

interface Envelope {
  protocol: typeof CONTROL_PROTOCOL;
  version: typeof CONTROL_PROTOCOL_VERSION;
}

/** Where the worker answered a tile from (the `X-Tile-Source` header). */
export type TileTier = 'memory' | 'idb' | 'batch' | 'network';
export const TILE_TIERS: readonly TileTier[] = ['memory', 'idb', 'batch', 'network'];

/**
 * The worker's counters since it started (a worker restart resets them).
 *
 * @example
 * const { hits, batches, meanBatchSize }: WorkerStatsSnapshot = report;
 * console.log(`${hits.batch} tiles in ${batches} batches (${meanBatchSize.toFixed(1)} a batch)`);
 */
export interface WorkerStatsSnapshot {
  /** Tile requests the worker handled. */
  requests: number;
  /** Tiles answered by each tier. */
  hits: Record<TileTier, number>;
  /** Body bytes answered by each tier. */
  bytes: Record<TileTier, number>;
  /** Milliseconds from the fetch event to the answer, per tier, over recent tiles. */
  latencyMs: Record<TileTier, Percentiles>;
  /** Tiles served without asking the companion (memory + idb) over all answered, 0 to 1. */
  hitRate: number;
  /** Bytes answered from memory and IndexedDB. */
  bytesSaved: number;
  /** Batch requests sent, the tiles they carried, and their mean size. */
  batches: number;
  batchTiles: number;
  meanBatchSize: number;
  /** Batch requests that failed (5xx, unreachable, malformed or stalled stream). */
  batchFailures: number;
  /** Requests that joined a tile already pending or in flight. */
  joined: number;
  /** Tiles fetched one by one because batching failed or was backing off. */
  fallbacks: number;
  /** Requests answered with an error status (e.g. 404 tiles). */
  errors: number;
  /** Tile requests the worker handed back to the network untouched (CORS-unreadable upstream, version unknown). */
  passedThrough: number;
  idbErrors: number;
  idbEvictions: number;
}

/**
 * What prefetch did and whether it paid (`hitRate` = used / prefetched).
 *
 * @example
 * const prefetch: PrefetchStats | undefined = report.prefetch;
 * if (prefetch) console.log(`${prefetch.used} of ${prefetch.prefetched} prefetched tiles were then shown`);
 */
export interface PrefetchStats {
  /** Settled views that asked for prefetch (each starts a run, possibly empty). */
  runs: number;
  /** Runs cancelled because the view moved on. */
  cancelledRuns: number;
  planned: number;
  /** Planned tiles already in memory or IndexedDB (no request). */
  alreadyCached: number;
  /** Tiles fetched from the companion by prefetch, and their bytes. */
  prefetched: number;
  bytes: number;
  /** Prefetched tiles a viewer asked for afterwards. */
  used: number;
  hitRate: number;
  /** Queued visible tiles dropped because they left every view. */
  droppedLeftView: number;
  /** Runs going on now. */
  active: number;
}

/** The report without its envelope: what the worker assembles. */
export interface WorkerReportBody extends WorkerStatsSnapshot {
  /** The memory tier: bytes and entries held, its byte budget. */
  memory: { bytes: number; entries: number; budget: number };
  /** IndexedDB: whether it works here, bytes and entries held, the byte budget. */
  idb: { available: boolean; bytes: number; entries: number; budget: number };
  /** Tiles waiting for a batch, batches in flight, whether batching is on (not backing off). */
  queue: { pending: number; inFlight: number; batching: boolean };
  /** The worker's resolved options (see `AcceleratorOptions` in tile-accelerator/sw). */
  options: Readonly<Record<string, unknown>>;
  /** Present when the worker prefetches. */
  prefetch?: PrefetchStats;
}

/**
 * The worker's stats report, as `GET /__tile-accelerator/stats` and the
 * `stats` message answer it.
 *
 * @example
 * const report = (await (await fetch('/__tile-accelerator/stats')).json()) as WorkerReport;
 * console.log(`${Math.round(report.hitRate * 100)}% of tiles from memory or IndexedDB`);
 */
export type WorkerReport = Envelope & WorkerReportBody;

export type ControlRequest = Envelope & { type: 'stats' | 'clear' };
export type ControlReply = Envelope & { type: 'report'; request: ControlRequest['type']; report: WorkerReport };

const envelope: Envelope = { protocol: CONTROL_PROTOCOL, version: CONTROL_PROTOCOL_VERSION };

/** A control message for `navigator.serviceWorker.controller.postMessage`. */
export function controlRequest(type: ControlRequest['type']): ControlRequest {
  return { ...envelope, type };
}

export function workerReport(body: WorkerReportBody): WorkerReport {
  return { ...envelope, ...body };
}

export function controlReply(request: ControlRequest['type'], report: WorkerReport): ControlReply {
  return { ...envelope, type: 'report', request, report };
}

/** Our envelope, or null for anybody else's message. Throws on a version this code does not speak. */
function ours(data: unknown): Record<string, unknown> | null {
  if (typeof data !== 'object' || data === null) return null;
  const record = data as Record<string, unknown>;
  if (record.protocol !== CONTROL_PROTOCOL) return null;
  if (record.version !== CONTROL_PROTOCOL_VERSION) {
    throw bad(`version ${String(record.version)} is not ${CONTROL_PROTOCOL_VERSION}: the page and the worker come from different builds; reload the page`);
  }
  return record;
}

export function parseControlRequest(data: unknown): ControlRequest | null {
  const record = ours(data);
  if (!record) return null;
  if (record.type !== 'stats' && record.type !== 'clear') throw bad(`unknown request type "${String(record.type)}": use stats or clear`);
  return controlRequest(record.type);
}

export function parseControlReply(data: unknown): ControlReply | null {
  const record = ours(data);
  if (!record) return null;
  if (record.type !== 'report' || (record.request !== 'stats' && record.request !== 'clear')) throw bad(`unknown reply type "${String(record.type)}"`);
  const report = record.report as Record<string, unknown> | null;
  if (typeof report !== 'object' || report === null || report.protocol !== CONTROL_PROTOCOL || report.version !== CONTROL_PROTOCOL_VERSION) {
    throw bad('"report" must be a worker report of this version');
  }
  if (typeof report.hits !== 'object' || typeof report.requests !== 'number') throw bad('"report" lacks the stats counters');
  return controlReply(record.request, report as unknown as WorkerReport);
}

function bad(what: string): TileError {
  return new TileError('BAD_REQUEST', `Control message rejected: ${what}.`);
}

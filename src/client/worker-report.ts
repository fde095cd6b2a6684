/**
 * Asking the tile worker for its report from the page, over a MessageChannel
 * with the versioned control protocol (src/shared/worker-report.ts). Never
 * throws into the page: no controlling worker, no answer in time, or an
 * answer of another version is null.
 */
import { controlRequest, parseControlReply, type WorkerReport } from '../shared/worker-report.ts';

/**
 * Options of `requestWorkerReport`.
 *
 * @example
 * const afterClear = await requestWorkerReport({ clear: true, timeoutMs: 3000 });
 */
export interface RequestWorkerReportOptions {
  /** Longest wait for the answer (default 1000 ms). */
  timeoutMs?: number;
  /** Empty the worker's memory and IndexedDB first (default false). */
  clear?: boolean;
}

/**
 * The controlling worker's stats report (hits per tier, batches, bytes,
 * latency percentiles, prefetch), or null when no worker answers.
 *
 * @example
 * import { requestWorkerReport } from 'tile-accelerator/client';
 *
 * const report = await requestWorkerReport();
 * if (report) console.log(`${report.hits.memory + report.hits.idb} tiles from the worker's caches, ${report.batches} batches`);
 */
export function requestWorkerReport(options: RequestWorkerReportOptions = {}): Promise<WorkerReport | null> {
  const worker = typeof navigator !== 'undefined' ? navigator.serviceWorker?.controller : undefined;
  if (!worker) return Promise.resolve(null);
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    const timer = setTimeout(() => {
      channel.port1.close();
      resolve(null);
    }, options.timeoutMs ?? 1000);
    channel.port1.onmessage = (event: MessageEvent) => {
      clearTimeout(timer);
      channel.port1.close();
      try {
        resolve(parseControlReply(event.data)?.report ?? null);
      } catch (error) {
        console.warn('tile-accelerator:', error);
        resolve(null);
      }
    };
    worker.postMessage(controlRequest(options.clear ? 'clear' : 'stats'), [channel.port2]);
  });
}

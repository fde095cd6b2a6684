/**
 * The worker's developer surface: `GET /__tile-accelerator/stats` (open it in
 * a tab), `POST /__tile-accelerator/clear` (empties memory and IndexedDB),
 * and the same through the versioned control messages of
 * src/shared/worker-report.ts, answered on the message's port if it has one,
 * else to the sending client.
 */
import {
  CONTROL_PATH_PREFIX,
  controlReply,
  parseControlRequest,
  workerReport,
  type WorkerReport,
  type WorkerReportBody,
} from '../shared/worker-report.ts';
import type { Accelerator } from './accelerator.ts';

export const CONTROL_PREFIX = CONTROL_PATH_PREFIX;

/** The accelerator's report in its versioned envelope. */
export async function reportOf(accelerator: Accelerator): Promise<WorkerReport> {
  // statsReport() assembles exactly WorkerReportBody (counters, tiers, queue, options, prefetch).
  return workerReport((await accelerator.statsReport()) as WorkerReportBody);
}

export async function handleControl(accelerator: Accelerator, request: Request): Promise<Response> {
  const path = new URL(request.url).pathname.slice(CONTROL_PREFIX.length);
  if (path === 'stats' && request.method === 'GET') return json(await reportOf(accelerator));
  if (path === 'clear' && request.method === 'POST') {
    await accelerator.clear();
    return json({ cleared: true });
  }
  return json({ error: { code: 'NOT_FOUND', message: `No worker endpoint ${request.method} ${CONTROL_PREFIX}${path}: use GET stats or POST clear.` } }, 404);
}

/** Answers a control message; other messages are left alone. A control message of another version throws (the caller logs it). */
export async function answerMessage(accelerator: Accelerator, event: ExtendableMessageEvent): Promise<void> {
  const message = parseControlRequest(event.data);
  if (!message) return;
  if (message.type === 'clear') await accelerator.clear();
  const reply = controlReply(message.type, await reportOf(accelerator));
  const port = event.ports[0];
  if (port) port.postMessage(reply);
  else (event.source as Client | null)?.postMessage(reply);
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body, null, 2), { status, headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' } });
}

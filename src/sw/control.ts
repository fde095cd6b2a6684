/**
 * The worker's developer surface: `GET /__tile-accelerator/stats` (open it in
 * a tab), `POST /__tile-accelerator/clear` (empties memory and IndexedDB),
 * and the same through `postMessage({ type: 'stats' | 'clear' })`, answered
 * on the message's port if it has one, else to the sending client.
 */
import type { Accelerator } from './accelerator.ts';

export const CONTROL_PREFIX = '/__tile-accelerator/';

export async function handleControl(accelerator: Accelerator, request: Request): Promise<Response> {
  const path = new URL(request.url).pathname.slice(CONTROL_PREFIX.length);
  if (path === 'stats' && request.method === 'GET') return json(await accelerator.statsReport());
  if (path === 'clear' && request.method === 'POST') {
    await accelerator.clear();
    return json({ cleared: true });
  }
  return json({ error: { code: 'NOT_FOUND', message: `No worker endpoint ${request.method} ${CONTROL_PREFIX}${path}: use GET stats or POST clear.` } }, 404);
}

export interface ControlMessage {
  type: 'stats' | 'clear';
}

export async function answerMessage(accelerator: Accelerator, event: ExtendableMessageEvent): Promise<void> {
  const data = event.data as Partial<ControlMessage> | null;
  if (data?.type !== 'stats' && data?.type !== 'clear') return;
  if (data.type === 'clear') await accelerator.clear();
  const reply = { type: data.type, stats: await accelerator.statsReport() };
  const port = event.ports[0];
  if (port) port.postMessage(reply);
  else (event.source as Client | null)?.postMessage(reply);
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body, null, 2), { status, headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' } });
}

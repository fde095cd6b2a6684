/**
 * Registers tile source specs with the controlling worker
 * (shared/source-protocol.ts) and waits for its answer: one result per spec,
 * accepted or refused with a reason. No worker in control, or no answer
 * within `timeoutMs`, is a result too (every spec refused, saying why), never
 * a hang or a silent success.
 */
import { parseSourcesRegistered, registerSourcesMessage, type SourceResult } from '../shared/source-protocol.ts';
import type { TileSourceSpec } from '../shared/tile-source-spec.ts';

export async function registerSources(specs: TileSourceSpec[], timeoutMs = 5000): Promise<SourceResult[]> {
  const worker = navigator.serviceWorker?.controller;
  const refuseAll = (reason: string): SourceResult[] => specs.map((s) => ({ id: s.id, accepted: false, reason }));
  if (specs.length === 0) return [];
  if (!worker) return refuseAll('no service worker controls this page (first visit before it took control, or none registered)');
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    const timer = setTimeout(() => {
      channel.port1.close();
      resolve(refuseAll(`the worker did not answer the registration within ${timeoutMs} ms (is it a tile-accelerator worker of this build?)`));
    }, timeoutMs);
    channel.port1.onmessage = (event) => {
      let reply;
      try {
        reply = parseSourcesRegistered(event.data);
      } catch (error) {
        reply = null;
        console.warn('tile-accelerator:', error);
      }
      if (!reply) return;
      clearTimeout(timer);
      channel.port1.close();
      resolve(reply.results);
    };
    worker.postMessage(registerSourcesMessage(specs), [channel.port2]);
  });
}

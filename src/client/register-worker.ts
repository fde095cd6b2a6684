/**
 * Puts the page under the tile worker, or takes it out (`?accelerator=off`),
 * without ever blocking the viewer on it: if the worker is not in control
 * within `timeoutMs`, tiles simply load from the network.
 */
/**
 * Where the tile worker is: `scriptUrl` (default `/sw.js`, a module worker),
 * `scope` (default `/`), `timeoutMs` (longest wait on a first visit, default 2000).
 *
 * @example
 * await registerTileWorker({ scriptUrl: '/tile-sw.js', scope: '/viewer/', timeoutMs: 1000 });
 */
export interface WorkerOptions {
  scriptUrl?: string;
  scope?: string;
  /** Longest wait for the worker to take control on a first visit. */
  timeoutMs?: number;
}

/**
 * Whether tiles go through the worker: `controlled` (yes), `uncontrolled` (not
 * yet: the first visit's worker did not take over in time), `unsupported`,
 * `failed` (registration failed; tiles load directly).
 *
 * @example
 * const state: WorkerState = await registerTileWorker();
 */
export type WorkerState = 'controlled' | 'uncontrolled' | 'unsupported' | 'failed';

/**
 * Puts the page under the tile worker without ever blocking on it; answers
 * whether it controls the page. `enableTileAccelerator` calls it for you.
 *
 * @example
 * import { registerTileWorker } from 'tile-accelerator/client';
 *
 * if ((await registerTileWorker({ scriptUrl: '/sw.js' })) === 'controlled') console.log('tiles are accelerated');
 */
export async function registerTileWorker(options: WorkerOptions = {}): Promise<WorkerState> {
  if (!('serviceWorker' in navigator)) return 'unsupported';
  const container = navigator.serviceWorker;
  if (container.controller) {
    container.register(options.scriptUrl ?? '/sw.js', { type: 'module', scope: options.scope ?? '/' }).catch(reportFailure);
    return 'controlled';
  }
  try {
    const controlled = new Promise<void>((resolve) => container.addEventListener('controllerchange', () => resolve(), { once: true }));
    await container.register(options.scriptUrl ?? '/sw.js', { type: 'module', scope: options.scope ?? '/' });
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, options.timeoutMs ?? 2000));
    await Promise.race([controlled, timeout]);
    return container.controller ? 'controlled' : 'uncontrolled';
  } catch (error) {
    reportFailure(error);
    return 'failed';
  }
}

/**
 * Removes every service worker registration of the origin; resolves true
 * when the page must reload to be free of a worker (the demo's `?accelerator=off`).
 *
 * @example
 * import { unregisterTileWorker } from 'tile-accelerator/client';
 *
 * if (await unregisterTileWorker()) location.reload();
 */
export async function unregisterTileWorker(): Promise<boolean> {
  if (!('serviceWorker' in navigator)) return false;
  const registrations = await navigator.serviceWorker.getRegistrations();
  await Promise.all(registrations.map((r) => r.unregister()));
  return navigator.serviceWorker.controller !== null;
}

function reportFailure(error: unknown): void {
  console.warn('tile-accelerator: the service worker could not be registered; tiles load directly.', error);
}

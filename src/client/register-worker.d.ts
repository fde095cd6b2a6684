/**
 * Puts the page under the tile worker, or takes it out (`?accelerator=off`),
 * without ever blocking the viewer on it: if the worker is not in control
 * within `timeoutMs`, tiles simply load from the network.
 */
export interface WorkerOptions {
    scriptUrl?: string;
    scope?: string;
    /** Longest wait for the worker to take control on a first visit. */
    timeoutMs?: number;
}
export type WorkerState = 'controlled' | 'uncontrolled' | 'unsupported' | 'failed';
export declare function registerTileWorker(options?: WorkerOptions): Promise<WorkerState>;
/** Removes every registration; resolves true when the page must reload to be free of a worker. */
export declare function unregisterTileWorker(): Promise<boolean>;

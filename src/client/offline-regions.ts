/**
 * The page side of offline regions (`accelerator.pinRegion(...)`): asks the
 * controlling worker over shared/region-protocol.ts and turns its progress
 * broadcasts into per-region handles.
 *
 *   const pending = await accelerator.pinRegion({ rect: 'view', minLevel: 3, maxLevel: 5 });
 *   pending.estimate;            // { tiles, bytes, levels, basis } and pending.fits / pending.refusal
 *   const region = await pending.start();   // rejects with RegionRefusedError when it cannot fit
 *   region.addEventListener('progress', () => console.log(region.progress));
 *   region.pause(); region.resume(); region.cancel();
 *   await region.done;           // settles when every tile was tried: the final RegionSummary
 *
 * On the first pin the page asks `navigator.storage.persist()` (a window-only
 * API: the worker cannot) and passes the answer on; `persisted` reports it.
 */
import { TileError } from '../shared/errors.ts';
import type { RegionEstimate } from '../shared/region-plan.ts';
import {
  parseRegionProgress,
  parseRegionReply,
  regionRequest,
  RegionRefusedError,
  type EstimateResult,
  type RefusalDetails,
  type RegionOp,
  type RegionRequestArea,
  type RegionSummary,
  type StorageReport,
} from '../shared/region-protocol.ts';
import type { ImageRect } from '../shared/tile-range.ts';

export interface PinRegionOptions {
  /** The source id (a dataset of the tile API, or a registered source); default: the viewer's. */
  source?: string;
  /** 'view' (default): the viewer's current view; 'whole': the whole image; or a rectangle in image pixels. */
  rect?: 'view' | 'whole' | ImageRect;
  minLevel: number;
  maxLevel: number;
}

/** A region planned but not started: its estimate, whether it fits, and `start()`. */
export interface PendingRegion {
  area: RegionRequestArea;
  estimate: RegionEstimate;
  fits: boolean;
  refusal?: RefusalDetails;
  start(): Promise<RegionHandle>;
}

export interface RegionHandle extends EventTarget {
  readonly id: string;
  /** The latest summary: tiles, stored, bytes, failures, status. A `progress` event follows each change. */
  readonly progress: RegionSummary;
  /** Settles once every tile was tried (complete or incomplete) or the region turned stale; rejects with an AbortError on cancel. */
  readonly done: Promise<RegionSummary>;
  /** The answer of `navigator.storage.persist()` on the first pin (null when not asked). */
  readonly persisted: boolean | null;
  pause(): Promise<RegionSummary>;
  resume(): Promise<RegionSummary>;
  /** Stops and deletes the region (freeing its tiles). */
  cancel(): Promise<void>;
}

const REPLY_TIMEOUT_MS = 30_000;
let persistAnswer: Promise<boolean | null> | null = null;

export class OfflineRegions {
  readonly #handles = new Map<string, { handle: RegionHandle; update(summary: RegionSummary, removed: boolean): void }>();
  readonly #defaults: () => { source?: string; rect?: ImageRect };

  /** `defaults` tells the viewer's source and current view (image pixels). */
  constructor(defaults: () => { source?: string; rect?: ImageRect }) {
    this.#defaults = defaults;
    navigator.serviceWorker?.addEventListener('message', (event: MessageEvent) => {
      let message;
      try {
        message = parseRegionProgress(event.data);
      } catch {
        return;
      }
      if (message) this.#handles.get(message.region.id)?.update(message.region, message.removed === true);
    });
  }

  /** Plans a region and asks the worker for its estimate; nothing is fetched until `start()`. */
  async pinRegion(options: PinRegionOptions): Promise<PendingRegion> {
    const defaults = this.#defaults();
    const source = options.source ?? defaults.source;
    if (!source) throw new TileError('BAD_REQUEST', 'pinRegion needs a source: the viewer shows none of the tile API, so pass { source }.');
    const rect = options.rect === 'whole' ? null : options.rect === undefined || options.rect === 'view' ? defaults.rect : options.rect;
    if (rect === undefined) throw new TileError('BAD_REQUEST', 'pinRegion cannot read the current view: pass an image rectangle or "whole".');
    const area: RegionRequestArea = { source, rect, minLevel: options.minLevel, maxLevel: options.maxLevel };
    const { estimate, fits, refusal } = (await this.#ask({ op: 'estimate', area })) as EstimateResult;
    return {
      area,
      estimate,
      fits,
      ...(refusal ? { refusal } : {}),
      start: async () => {
        const persisted = await askPersist();
        const summary = (await this.#ask({ op: 'pin', area, persisted })) as RegionSummary;
        return this.#handle(summary, persisted);
      },
    };
  }

  /** Every region, its tiles, bytes, completeness and last use, and storage used against quota. */
  async listRegions(): Promise<{ regions: RegionSummary[]; storage: StorageReport }> {
    return (await this.#ask({ op: 'list' })) as { regions: RegionSummary[]; storage: StorageReport };
  }

  /** Deletes a region; resolves with what was freed (tiles no other region holds). */
  async deleteRegion(id: string): Promise<{ id: string; freedTiles: number; freedBytes: number }> {
    return (await this.#ask({ op: 'delete', id })) as { id: string; freedTiles: number; freedBytes: number };
  }

  /** Fetches a stale (re-tiled) or incomplete region again. */
  async refreshRegion(id: string): Promise<RegionHandle> {
    return this.#handle((await this.#ask({ op: 'refresh', id })) as RegionSummary, null);
  }

  /** A handle on a region that already exists (e.g. one still downloading after a reload). */
  async region(id: string): Promise<RegionHandle> {
    const summary = (await this.listRegions()).regions.find((r) => r.id === id);
    if (!summary) throw new TileError('NOT_FOUND', `No offline region "${id}".`);
    return this.#handle(summary, null);
  }

  #handle(first: RegionSummary, persisted: boolean | null): RegionHandle {
    const known = this.#handles.get(first.id);
    if (known) {
      known.update(first, false);
      return known.handle;
    }
    const target = new EventTarget();
    let progress = first;
    let settle!: (summary: RegionSummary) => void;
    let fail!: (error: unknown) => void;
    const done = new Promise<RegionSummary>((resolve, reject) => ((settle = resolve), (fail = reject)));
    done.catch(() => undefined); // a cancel nobody awaits is not an unhandled rejection
    // (defineProperty: Object.assign would copy the getter's value once, not the getter)
    Object.defineProperty(target, 'progress', { get: () => progress, enumerable: true });
    const handle = Object.assign(target, {
      id: first.id,
      persisted,
      done,
      pause: async () => this.#ask({ op: 'pause', id: first.id }) as Promise<RegionSummary>,
      resume: async () => this.#ask({ op: 'resume', id: first.id }) as Promise<RegionSummary>,
      cancel: async () => {
        await this.#ask({ op: 'cancel', id: first.id });
      },
    }) as RegionHandle;
    const update = (summary: RegionSummary, removed: boolean) => {
      progress = summary;
      target.dispatchEvent(new Event('progress'));
      if (removed) {
        this.#handles.delete(summary.id);
        fail(new DOMException(`Offline region ${summary.id} was cancelled.`, 'AbortError'));
      } else if (summary.status === 'complete' || summary.status === 'incomplete' || summary.status === 'stale') settle(summary);
    };
    this.#handles.set(first.id, { handle, update });
    update(first, false);
    return handle;
  }

  async #ask(op: RegionOp): Promise<unknown> {
    const worker = navigator.serviceWorker?.controller;
    if (!worker) throw new TileError('BAD_REQUEST', 'Offline regions need the tile worker to control the page: reload once it is registered.');
    const channel = new MessageChannel();
    const reply = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => reject(new TileError('UPSTREAM_TIMEOUT', `The tile worker did not answer "${op.op}" within ${REPLY_TIMEOUT_MS / 1000} s.`)), REPLY_TIMEOUT_MS);
      channel.port1.onmessage = (event: MessageEvent) => {
        clearTimeout(timer);
        channel.port1.close();
        try {
          const message = parseRegionReply(event.data);
          if (!message) return reject(new TileError('INTERNAL', 'The tile worker answered with something else than a region reply.'));
          if (message.ok) return resolve(message.result);
          const { code, message: text, details } = message.error;
          reject(details ? new RegionRefusedError(details) : new TileError(code, text));
        } catch (error) {
          reject(error);
        }
      };
    });
    worker.postMessage(regionRequest(op), [channel.port2]);
    return reply;
  }
}

/** `navigator.storage.persist()` once per page (asked on the first pin), null where unsupported. */
function askPersist(): Promise<boolean | null> {
  persistAnswer ??= (async () => {
    try {
      if (!navigator.storage?.persist) return null;
      return (await navigator.storage.persisted()) || (await navigator.storage.persist());
    } catch {
      return null;
    }
  })();
  return persistAnswer;
}

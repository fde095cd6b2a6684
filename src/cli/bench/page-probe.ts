/**
 * What the bench runs inside the page. Times are taken there, with
 * performance.now(), from the action to OpenSeadragon's fully-loaded signal
 * (`body[data-fully-loaded]`, set from TiledImage 'fully-loaded-change' by
 * both pages), so Playwright's round trips never enter a measurement. The
 * functions are serialised into the page: they must not close over anything.
 */
import type { Page } from '@playwright/test';

// The CLI compiles without DOM types; these are the few browser globals the
// in-page functions touch.
declare const window: unknown;
declare const document: { body: { dataset: Record<string, string | undefined> } | null };
declare const MutationObserver: new (callback: (records: Array<{ oldValue: string | null }>) => void) => {
  observe(target: unknown, options: object): void;
};
declare function requestAnimationFrame(callback: () => void): number;
interface ResourceEntry {
  name: string;
  startTime: number;
  responseEnd: number;
  encodedBodySize: number;
  nextHopProtocol: string;
  serverTiming: Array<{ name: string; description: string; duration: number }>;
}

/** Installed before any page script: records every change of the signal. */
export function installProbe(): void {
  const w = window as unknown as { __bench: { events: Array<{ loaded: boolean; t: number }> } };
  // A tour asks for hundreds of tiles; the default buffer keeps 250 entries.
  performance.setResourceTimingBufferSize(100_000);
  const events: Array<{ loaded: boolean; t: number }> = [];
  w.__bench = { events };
  let last: string | undefined;
  // OpenSeadragon may flip the signal false and back to true within one task
  // (all tiles at hand); the records' old values keep both transitions.
  new MutationObserver((records) => {
    const t = performance.now();
    const values = [...records.slice(1).map((r) => r.oldValue), document.body?.dataset['fullyLoaded'] ?? null];
    for (const value of values) {
      if (value === null || value === last) continue;
      last = value;
      events.push({ loaded: value === 'true', t });
    }
  }).observe(document, { subtree: true, attributes: true, attributeOldValue: true, attributeFilter: ['data-fully-loaded'] });
}

export type ViewAction = { kind: 'none' } | { kind: 'zoom'; factor: number } | { kind: 'pan'; dx: number; dy: number };

export interface PageMeasure {
  /** From the action (or navigation start) to fully loaded, in ms. */
  ms: number;
  tilesLoaded: number;
  /**
   * Tiles OpenSeadragon gave up on during the view (`tile-load-failed`): a view
   * whose tiles failed looks "fully loaded" at once, so it must not pass for a fast one.
   */
  tilesFailed: number;
  /** The last failure's message, when tiles failed. */
  lastTileError?: string;
  tileResponses: number;
  /** Body bytes of the tile responses the page received (any origin: network, HTTP cache, worker). */
  tileBytes: number;
  /** The longest tile request of the view, as the page saw it. */
  slowestTileMs: number;
  /** Server-Timing `sw;desc=memory` durations: the worker's cost per memory hit. */
  memoryHitMs: number[];
  /** The same hits as the page saw them (request start to response end): dispatch to the worker included. */
  memoryHitPageMs: number[];
  /** ALPN protocols of the tile requests that reached the network, e.g. "h2" (empty from a cache or worker). */
  protocols: string[];
}

interface BenchWindow {
  __bench: { events: Array<{ loaded: boolean; t: number }> };
  demo: { viewer: any; tilesLoaded: number; tilesFailed?: number; lastTileError?: string };
}

/** Runs in the page: performs the action, resolves when the view is fully loaded. */
async function measureInPage([action, timeoutMs, fromNavigation]: [ViewAction, number, boolean]): Promise<PageMeasure> {
  const w = window as BenchWindow;
  const tilesBefore = fromNavigation ? 0 : w.demo.tilesLoaded;
  const failedBefore = fromNavigation ? 0 : (w.demo.tilesFailed ?? 0);
  const events = w.__bench.events;
  const firstEvent = fromNavigation ? 0 : events.length;
  const start = fromNavigation ? 0 : performance.now();
  if (action.kind !== 'none') {
    const viewport = w.demo.viewer.viewport;
    if (action.kind === 'zoom') viewport.zoomBy(action.factor, undefined, true);
    else {
      // OpenSeadragon is a module import in the pages, so no Point constructor
      // is reachable here: build the offset from the bounds' own corner points.
      const bounds = viewport.getBounds();
      const topLeft = bounds.getTopLeft();
      const across = bounds.getTopRight().minus(topLeft).times(action.dx);
      const down = bounds.getBottomLeft().minus(topLeft).times(action.dy);
      viewport.panBy(across.plus(down), true);
    }
    viewport.applyConstraints(true);
  }
  const end = await new Promise<number>((resolve, reject) => {
    let frames = 0;
    const deadline = performance.now() + timeoutMs;
    const check = () => {
      frames += 1;
      const mine = events.slice(firstEvent);
      const unloaded = fromNavigation ? 0 : mine.findIndex((e) => !e.loaded);
      const loaded = unloaded < 0 ? undefined : mine.slice(unloaded).find((e) => e.loaded);
      if (loaded) return resolve(loaded.t);
      // Nothing to load (every tile already in OpenSeadragon's cache): the signal never flips.
      if (!fromNavigation && unloaded < 0 && frames >= 6 && document.body?.dataset['fullyLoaded'] === 'true') {
        return resolve(performance.now());
      }
      if (performance.now() > deadline) return reject(new Error(`view not fully loaded within ${timeoutMs} ms`));
      requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
  });
  const tiles = (performance.getEntriesByType('resource') as unknown as ResourceEntry[]).filter(
    (e) => e.startTime >= start && e.startTime <= end && /\/api\/tiles\/[^/]+\/\d+\/\d+\/\d+\.\w+$/.test(new URL(e.name).pathname),
  );
  const memoryHitMs: number[] = [];
  const memoryHitPageMs: number[] = [];
  for (const e of tiles) {
    for (const s of e.serverTiming) {
      if (s.name !== 'sw' || s.description !== 'memory') continue;
      memoryHitMs.push(s.duration);
      memoryHitPageMs.push(e.responseEnd - e.startTime);
    }
  }
  return {
    ms: end - start,
    tilesLoaded: w.demo.tilesLoaded - tilesBefore,
    tilesFailed: (w.demo.tilesFailed ?? 0) - failedBefore,
    ...((w.demo.tilesFailed ?? 0) > failedBefore && w.demo.lastTileError ? { lastTileError: w.demo.lastTileError } : {}),
    tileResponses: tiles.length,
    tileBytes: tiles.reduce((sum, e) => sum + e.encodedBodySize, 0),
    slowestTileMs: tiles.reduce((max, e) => Math.max(max, e.responseEnd - e.startTime), 0),
    memoryHitMs,
    memoryHitPageMs,
    protocols: [...new Set(tiles.map((e) => e.nextHopProtocol).filter(Boolean))],
  };
}

/**
 * Why a measured view is no measurement, or undefined when it is one.
 * OpenSeadragon marks a tile that failed as missing and then calls the view
 * fully loaded, so a view whose tiles failed looks instant with 0 tiles
 * loaded. A few failures among many loads (tiles dropped because they left a
 * moving view) are normal; more failed than loaded is not.
 */
export function failedView(scenario: string, measure: Pick<PageMeasure, 'tilesFailed' | 'tilesLoaded' | 'lastTileError'>): string | undefined {
  if (measure.tilesFailed <= measure.tilesLoaded) return undefined;
  return `${scenario}: ${measure.tilesFailed} tiles failed, ${measure.tilesLoaded} loaded (last: ${measure.lastTileError ?? 'no message'})`;
}

/** Navigates (or reloads) and measures from navigation start to the first fully loaded view. */
export async function measureNavigation(page: Page, navigate: () => Promise<unknown>, timeoutMs: number): Promise<PageMeasure> {
  await navigate();
  await page.waitForFunction(() => (window as unknown as { demo?: { viewer: unknown } }).demo?.viewer, null, { timeout: timeoutMs });
  return page.evaluate(measureInPage, [{ kind: 'none' }, timeoutMs, true] as [ViewAction, number, boolean]);
}

export async function measureAction(page: Page, action: ViewAction, timeoutMs: number): Promise<PageMeasure> {
  return page.evaluate(measureInPage, [action, timeoutMs, false] as [ViewAction, number, boolean]);
}

/**
 * Helpers for the offline-region specs: drive `window.demo.accelerator`'s
 * region API from the test (handles stay in the page, by id), move the view
 * to an image rectangle at once, and read the pinned tiles straight from the
 * worker's IndexedDB (the page shares its origin), so assertions rest on
 * what is stored, not on what the worker says.
 */
import type { Page } from '@playwright/test';
import type { RegionSummary, RefusalDetails, StorageReport } from '../../src/shared/region-protocol.ts';
import type { RegionEstimate } from '../../src/shared/region-plan.ts';
import type { RegionHandle } from '../../src/client/offline-regions.ts';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PinOutcome {
  estimate: RegionEstimate;
  fits: boolean;
  refusal?: RefusalDetails;
  /** The started region's id, or the error `start()` rejected with. */
  id?: string;
  error?: { name: string; code: string; message: string; details?: RefusalDetails };
}

declare global {
  interface Window {
    regionHandles?: Record<string, RegionHandle>;
  }
}

/** Plans and starts a region (`start` false: only the estimate). */
export async function pinRegion(page: Page, area: { rect: Rect | 'whole' | 'view'; minLevel: number; maxLevel: number }, start = true): Promise<PinOutcome> {
  return page.evaluate(
    async ({ area, start }) => {
      const pending = await window.demo.accelerator!.pinRegion(area);
      const outcome: PinOutcome = { estimate: pending.estimate, fits: pending.fits, ...(pending.refusal ? { refusal: pending.refusal } : {}) };
      if (!start) return outcome;
      try {
        const handle = await pending.start();
        (window.regionHandles ??= {})[handle.id] = handle;
        return { ...outcome, id: handle.id };
      } catch (error) {
        const e = error as Error & { code: string; details?: RefusalDetails };
        return { ...outcome, error: { name: e.name, code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) } };
      }
    },
    { area, start },
  );
}

/** The region's `done` promise in the page: its final summary, or the rejection's name. */
export async function regionDone(page: Page, id: string): Promise<RegionSummary | { rejected: string }> {
  return page.evaluate(async (id) => {
    const handle = window.regionHandles?.[id] ?? (await window.demo.accelerator!.regions.region(id));
    return handle.done.catch((error: Error) => ({ rejected: error.name }));
  }, id);
}

export async function regionAction(page: Page, id: string, action: 'pause' | 'resume' | 'cancel'): Promise<void> {
  await page.evaluate(async ({ id, action }) => {
    await window.regionHandles![id]![action]();
  }, { id, action });
}

export async function listRegions(page: Page): Promise<{ regions: RegionSummary[]; storage: StorageReport }> {
  return page.evaluate(() => window.demo.accelerator!.listRegions());
}

/** Tiles in IndexedDB pinned by `id` (read in the page, not asked of the worker). */
export async function pinnedInDb(page: Page, id: string): Promise<{ tiles: number; bytes: number }> {
  return countInDb(page, id);
}

/** Every tile record in IndexedDB and the sum of their blob sizes, counted one by one. */
export async function tilesInDb(page: Page): Promise<{ tiles: number; bytes: number }> {
  return countInDb(page, null);
}

async function countInDb(page: Page, id: string | null): Promise<{ tiles: number; bytes: number }> {
  return page.evaluate(
    (id) =>
      new Promise<{ tiles: number; bytes: number }>((resolve, reject) => {
        const open = indexedDB.open('tile-accelerator');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const total = { tiles: 0, bytes: 0 };
          const store = db.transaction('tiles').objectStore('tiles');
          const cursor = id === null ? store.openCursor() : store.index('by-region').openCursor(IDBKeyRange.only(id));
          cursor.onerror = () => reject(cursor.error);
          cursor.onsuccess = () => {
            const c = cursor.result;
            if (!c) {
              db.close();
              return resolve(total);
            }
            total.tiles += 1;
            total.bytes += (c.value as { blob: Blob }).blob.size;
            c.continue();
          };
        };
      }),
    id,
  );
}

/** Shows the image rectangle `rect` at once (no animation) and marks the view as not yet loaded. */
export async function showRect(page: Page, rect: Rect): Promise<void> {
  await page.evaluate((r) => {
    window.demo.fullyLoaded = false;
    const viewer = window.demo.viewer!;
    const item = viewer.world.getItemAt(0);
    viewer.viewport.fitBounds(item.imageToViewportRectangle(r.x, r.y, r.width, r.height), true);
    viewer.viewport.applyConstraints(true);
  }, rect);
}

/** Counts OpenSeadragon's failed tile loads from now on (`window.failedTiles`). */
export async function countFailedTiles(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { failedTiles: number };
    w.failedTiles = 0;
    window.demo.viewer!.addHandler('tile-load-failed', () => (w.failedTiles += 1));
  });
}

export async function failedTiles(page: Page): Promise<number> {
  return page.evaluate(() => (window as unknown as { failedTiles: number }).failedTiles);
}

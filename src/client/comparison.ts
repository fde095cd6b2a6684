/**
 * Comparison mode (`?compare=sample,mixed`, or one dataset twice): viewers
 * side by side with synchronised pan and zoom. With the same dataset twice,
 * the second viewer asks for exactly the tiles the first does, so nearly all
 * of them come from the worker's memory or join the first viewer's requests
 * in flight. Each pane shows its own hit rate, read from the `Server-Timing`
 * the worker puts on every tile (`sw;desc="memory|idb|batch|network"`); the
 * tile URLs carry `?pane=` only so the page can tell the panes apart (the
 * worker keys tiles by path, so both panes share every cache).
 */
import OpenSeadragon from 'openseadragon';
import { enableTileAccelerator } from './enable-accelerator.ts';
import type { PageBatchingOptions } from './page-batching.ts';
import { fetchDatasetInfo, tileApiSource } from './tile-source.ts';

export interface ComparisonPane {
  name: string;
  dataset: string;
  viewer: OpenSeadragon.Viewer;
  tilesLoaded: number;
  fullyLoaded: boolean;
  /** Tile responses by where the worker found them (`memory`, `idb`, `batch`, `network`, `direct`). */
  sources: Record<string, number>;
}

export interface ComparisonOptions {
  /** OpenSeadragon settings shared by every pane (drawer, tiles per frame...). */
  settings: Partial<OpenSeadragon.Options>;
  prefetch: boolean;
  /** Page-side batching for every pane (see page-batching.ts); false: one request per tile. */
  pageBatching?: PageBatchingOptions | false;
  /** Called when the first pane's fully-loaded state changes (the demo's `window.demo.fullyLoaded`). */
  onFirstFullyLoaded?: (fullyLoaded: boolean) => void;
}

/** Share of tile responses served from the worker's caches (memory or IndexedDB). */
export function hitRate(pane: ComparisonPane): number {
  const total = Object.values(pane.sources).reduce((a, b) => a + b, 0);
  return total === 0 ? 0 : ((pane.sources.memory ?? 0) + (pane.sources.idb ?? 0)) / total;
}

export async function startComparison(root: HTMLElement, datasets: string[], options: ComparisonOptions): Promise<ComparisonPane[]> {
  root.classList.add('comparison');
  const panes = await Promise.all(datasets.map((dataset, i) => openPane(root, dataset, `p${i}`, options)));
  synchronise(panes.map((p) => p.viewer));
  countSources(panes);
  return panes;
}

async function openPane(root: HTMLElement, dataset: string, name: string, options: ComparisonOptions): Promise<ComparisonPane> {
  const element = root.appendChild(document.createElement('div'));
  element.className = 'pane';
  const label = element.appendChild(document.createElement('div'));
  label.className = 'pane-label';
  const info = await fetchDatasetInfo(dataset);
  const source = tileApiSource(dataset, info);
  const viewer = OpenSeadragon({
    ...options.settings,
    element,
    tileSources: { ...source, getTileUrl: (z: number, x: number, y: number) => `${source.getTileUrl(z, x, y)}?pane=${name}` } as unknown as OpenSeadragon.TileSourceOptions,
  });
  const pane: ComparisonPane = { name, dataset, viewer, tilesLoaded: 0, fullyLoaded: false, sources: {} };
  viewer.addHandler('tile-loaded', () => {
    pane.tilesLoaded += 1;
  });
  viewer.world.addHandler('add-item', ({ item }) => {
    item.addHandler('fully-loaded-change', ({ fullyLoaded }) => {
      pane.fullyLoaded = fullyLoaded;
      if (name === 'p0') options.onFirstFullyLoaded?.(fullyLoaded);
    });
  });
  await enableTileAccelerator(viewer, { register: false, prefetch: options.prefetch, pageBatching: options.pageBatching ?? {} });
  const render = () => {
    const total = Object.values(pane.sources).reduce((a, b) => a + b, 0);
    const bySource = Object.entries(pane.sources).map(([source, n]) => `${source} ${n}`).join(', ');
    label.textContent = `${dataset} · ${total} tiles · hit rate ${(hitRate(pane) * 100).toFixed(0)}%${bySource ? ` (${bySource})` : ''}`;
  };
  render();
  label.dataset.pane = name;
  (pane as ComparisonPane & { render?: () => void }).render = render;
  return pane;
}

/**
 * Every pane follows whichever one moves. OSD raises `viewport-change` on
 * every animation frame of every viewer, so a follower would echo the target
 * back and restart the leader's spring each frame: only differing targets are
 * passed on.
 */
function synchronise(viewers: OpenSeadragon.Viewer[]): void {
  const same = (a: OpenSeadragon.Viewer, b: OpenSeadragon.Viewer) =>
    Math.abs(a.viewport.getZoom() - b.viewport.getZoom()) < 1e-9 && a.viewport.getCenter().distanceTo(b.viewport.getCenter()) < 1e-9;
  for (const viewer of viewers) {
    viewer.addHandler('viewport-change', () => {
      for (const other of viewers) {
        if (other === viewer || same(other, viewer)) continue;
        other.viewport.zoomTo(viewer.viewport.getZoom(), undefined, false);
        other.viewport.panTo(viewer.viewport.getCenter(), false);
      }
    });
  }
}

function countSources(panes: ComparisonPane[]): void {
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries() as PerformanceResourceTiming[]) {
      const pane = panes.find((p) => entry.name.endsWith(`?pane=${p.name}`));
      if (!pane) continue;
      const desc = entry.serverTiming.find((t) => t.name === 'sw')?.description || 'direct';
      pane.sources[desc] = (pane.sources[desc] ?? 0) + 1;
      (pane as ComparisonPane & { render?: () => void }).render?.();
    }
  });
  observer.observe({ type: 'resource', buffered: true });
}

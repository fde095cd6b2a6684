/**
 * The demo's live stats overlay: hit rate per tier, batches, bytes saved and
 * the companion's counters, with a sparkline of the hit rate over time. It
 * asks the worker by the versioned control message (`requestWorkerReport`)
 * and the companion at `cache-stats`, once per `intervalMs`; a missing worker
 * or companion shows as such, it never throws into the page.
 */
import { TILE_TIERS as TIERS, type TileTier as Tier, type WorkerReport } from '../shared/worker-report.ts';
import { requestWorkerReport } from './worker-report.ts';

export interface OverlayOptions {
  dataset: string;
  /** How often to poll (default 1000 ms). */
  intervalMs?: number;
  /** Points kept for the sparkline (default 60). */
  historyLength?: number;
  apiBase?: string;
}

type WorkerStatsView = Pick<WorkerReport, 'hits' | 'batches' | 'meanBatchSize' | 'bytesSaved' | 'fallbacks' | 'prefetch'>;

interface CompanionView {
  counters?: { tileRequests: number; batchRequests: number; batchTiles: number };
}

/** The share of tiles answered without the companion in one interval, or null when none were answered. */
export function intervalHitRate(previous: WorkerStatsView | null, current: WorkerStatsView): number | null {
  const delta = (tier: Tier) => current.hits[tier] - (previous?.hits[tier] ?? 0);
  const answered = TIERS.reduce((n, t) => n + delta(t), 0);
  return answered > 0 ? (delta('memory') + delta('idb')) / answered : null;
}

/** SVG polyline points for values in [0, 1], newest on the right. */
export function sparklinePoints(values: number[], width: number, height: number, slots: number): string {
  const step = width / Math.max(1, slots - 1);
  const offset = slots - values.length;
  return values.map((v, i) => `${((offset + i) * step).toFixed(1)},${(height - v * height).toFixed(1)}`).join(' ');
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

async function askCompanion(url: string): Promise<CompanionView | null> {
  try {
    const response = await fetch(url, { cache: 'no-store' });
    return response.ok ? ((await response.json()) as CompanionView) : null;
  } catch {
    return null;
  }
}

export function mountStatsOverlay(parent: HTMLElement, options: OverlayOptions): { stop(): void } {
  const intervalMs = options.intervalMs ?? 1000;
  const slots = options.historyLength ?? 60;
  const statsUrl = `${options.apiBase ?? '/api/tiles'}/${encodeURIComponent(options.dataset)}/cache-stats`;
  const box = document.createElement('aside');
  box.id = 'stats-overlay';
  box.setAttribute('aria-label', 'Tile accelerator stats');
  Object.assign(box.style, {
    position: 'fixed', right: '0.5rem', bottom: '0.5rem', zIndex: '20', padding: '0.4rem 0.6rem', minWidth: '15rem', maxWidth: 'calc(100vw - 1rem)',
    background: '#000c', borderRadius: '4px', font: '12px/1.35 ui-monospace, monospace', pointerEvents: 'none',
  });
  const text = document.createElement('pre');
  text.style.margin = '0';
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 200 30');
  svg.setAttribute('width', '100%');
  svg.setAttribute('height', '30');
  const line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
  Object.entries({ fill: 'none', stroke: '#6c6', 'stroke-width': '1.5' }).forEach(([k, v]) => line.setAttribute(k, v));
  svg.append(line);
  box.append(text, svg);
  parent.append(box);

  const history: number[] = [];
  let previous: WorkerStatsView | null = null;
  let busy = false;
  const tick = async () => {
    if (busy) return; // a slow answer must not pile up polls
    busy = true;
    try {
      const [worker, companion] = await Promise.all([requestWorkerReport({ timeoutMs: intervalMs }), askCompanion(statsUrl)]);
      text.textContent = render(worker, companion);
      if (worker) {
        const rate = intervalHitRate(previous, worker);
        if (rate !== null) history.push(rate);
        if (history.length > slots) history.splice(0, history.length - slots);
        previous = worker;
        line.setAttribute('points', sparklinePoints(history, 200, 30, slots));
      }
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick().catch((error: unknown) => console.warn('stats overlay:', error)), intervalMs);
  void tick().catch((error: unknown) => console.warn('stats overlay:', error));
  return { stop: () => { clearInterval(timer); box.remove(); } };
}

function render(worker: WorkerStatsView | null, companion: CompanionView | null): string {
  const lines: string[] = [];
  if (!worker) lines.push('worker: not in control');
  else {
    const answered = TIERS.reduce((n, t) => n + worker.hits[t], 0);
    const pct = (n: number) => (answered ? `${Math.round((100 * n) / answered)}%` : '-');
    lines.push(`memory ${pct(worker.hits.memory)}  idb ${pct(worker.hits.idb)}`);
    lines.push(`batch ${pct(worker.hits.batch)}  network ${pct(worker.hits.network)}`);
    lines.push(`batches ${worker.batches} (mean ${worker.meanBatchSize.toFixed(1)})`);
    lines.push(`saved ${formatBytes(worker.bytesSaved)}  fallbacks ${worker.fallbacks}`);
    const p = worker.prefetch;
    if (p) lines.push(`prefetch ${p.prefetched}, used ${p.used} (${Math.round(100 * p.hitRate)}%)  dropped ${p.droppedLeftView}`);
  }
  const c = companion?.counters;
  lines.push(c ? `companion: ${c.tileRequests} tiles, ${c.batchRequests} batches (${c.batchTiles})` : 'companion: -');
  lines.push('hit rate:');
  return lines.join('\n');
}

/**
 * The table as an SVG bar chart (no dependencies): one panel per mode, one
 * group per scenario, one bar per series at its median, with a min–max
 * whisker. Each group has its own scale, since a tour and a warm zoom differ
 * by two orders of magnitude; the numbers are printed on the bars.
 */
import type { Report } from './report.ts';
import type { SeriesName } from './runner.ts';
import { formatMs } from './stats.ts';
import { SERIES_LABELS } from './report.ts';

const COLORS: Record<SeriesName, string> = {
  plain: '#9e9e9e',
  workbox: '#f0a030',
  tuned: '#5b8def',
  accelerator: '#2aa876',
  'no-prefetch': '#8fd4b4',
  'page-batch': '#2f7fd8',
  floor: '#444444',
  'floor-6': '#888888',
};

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function renderChart(report: Report): string {
  const width = 900;
  const labelWidth = 250;
  const barArea = width - labelWidth - 90;
  const bar = 13;
  const parts: string[] = [];
  let y = 44;
  parts.push(`<text x="10" y="20" font-size="15" font-weight="bold">tile-accelerator bench: time until the view is fully loaded (ms)</text>`);
  parts.push(`<text x="10" y="38" font-size="11" fill="#555">median of the runs, whiskers min–max; each scenario is scaled to its slowest bar</text>`);
  for (const mode of report.modes) {
    y += 18;
    parts.push(`<text x="10" y="${y}" font-size="14" font-weight="bold">${escape(mode.label)}</text>`);
    y += 10;
    for (const row of mode.scenarios) {
      const present = mode.series.filter((s) => row.series[s]);
      if (present.length === 0) continue;
      const max = Math.max(...present.map((s) => row.series[s]!.ms.max));
      const scale = (v: number) => (max > 0 ? (v / max) * barArea : 0);
      parts.push(`<text x="10" y="${y + 12}" font-size="12">${escape(row.label)}</text>`);
      for (const s of present) {
        const { median, min, max: hi } = row.series[s]!.ms;
        const w = Math.max(1, scale(median));
        parts.push(`<rect x="${labelWidth}" y="${y}" width="${w.toFixed(1)}" height="${bar}" fill="${COLORS[s]}"><title>${escape(SERIES_LABELS[s])}</title></rect>`);
        parts.push(`<line x1="${(labelWidth + scale(min)).toFixed(1)}" x2="${(labelWidth + scale(hi)).toFixed(1)}" y1="${y + bar / 2}" y2="${y + bar / 2}" stroke="#555" stroke-width="1"/>`);
        // A white halo keeps the number readable where a whisker crosses it.
        parts.push(`<text x="${(labelWidth + w + 4).toFixed(1)}" y="${y + 11}" font-size="11" stroke="#fff" stroke-width="3" paint-order="stroke">${formatMs(median)}</text>`);
        y += bar + 2;
      }
      y += 8;
    }
  }
  y += 6;
  let x = 10;
  for (const [s, color] of Object.entries(COLORS) as Array<[SeriesName, string]>) {
    const step = 16 + SERIES_LABELS[s].length * 6 + 14;
    if (x + step > width) {
      x = 10;
      y += 18;
    }
    parts.push(`<rect x="${x}" y="${y}" width="12" height="12" fill="${color}"/><text x="${x + 16}" y="${y + 11}" font-size="11">${escape(SERIES_LABELS[s])}</text>`);
    x += step;
  }
  y += 24;
  const m = report.machine;
  parts.push(`<text x="10" y="${y}" font-size="11" fill="#555">${escape(`${report.generatedAt} · ${m.cpus} × ${m.cpuModel} · Node ${m.node} · Chromium ${m.chromium} · ${report.options.latency.baseMs} ms per upstream GET`)}</text>`);
  y += 10;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}" font-family="sans-serif">\n<rect width="100%" height="100%" fill="#fff"/>\n${parts.join('\n')}\n</svg>\n`;
}

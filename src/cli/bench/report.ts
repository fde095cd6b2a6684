/**
 * From raw samples to what a reader needs: per mode and scenario, each
 * series' median (min–max), its ratio to the accelerator, the accelerator's
 * ratio to the floor, the counts (upstream GETs, bytes, tiles), and the
 * issue's targets checked one by one. Pure: the runner's output in, data out.
 */
import { cpus, loadavg, totalmem } from 'node:os';
import type { BenchOptions, ModeName, ScenarioName } from './options.ts';
import type { RunOutcome, Sample, SeriesName } from './runner.ts';
import { formatRatio, formatSummary, ratio, summarize, type Summary } from './stats.ts';
import { evaluateTargets, type TargetResult } from './targets.ts';
import { MODES, SCENARIO_LABELS, VARIANTS } from './variants.ts';

export interface SeriesSummary {
  ms: Summary;
  upstreamGets: Summary;
  upstreamBytes: Summary;
  upstreamNotFound: Summary;
  companionRequests: Summary;
  tilesLoaded: Summary;
  /** Tiles OpenSeadragon gave up on (a view that failed more than it loaded is an error, not a sample). */
  tilesFailed: Summary;
  slowestTileMs: Summary;
  /** GETs beyond the distinct tiles, as a fraction of them (duplicate upstream work). */
  duplicateGetShare: Summary;
  memoryHitMs: Summary;
  memoryHitPageMs: Summary;
}

export interface ScenarioReport {
  scenario: ScenarioName;
  label: string;
  series: Partial<Record<SeriesName, SeriesSummary>>;
}

export interface ModeReport {
  mode: ModeName;
  label: string;
  series: SeriesName[];
  scenarios: ScenarioReport[];
}

export interface Report {
  generatedAt: string;
  machine: {
    cpus: number; cpuModel: string; memoryGb: number; loadAverage: number[]; node: string; chromium: string; platform: string;
    /** 1, 5 and 15-minute load averages when the run started and when it ended. */
    load: MachineLoad;
    /** False when the machine was busy with other work (isFitToCompare): figures from such a run are not comparable. */
    fitToCompare: boolean;
  };
  options: Pick<BenchOptions, 'runs' | 'dataset' | 'latency' | 'modes' | 'variants' | 'tourSteps' | 'quick'>;
  completedRuns: RunOutcome['completedRuns'];
  elapsedMs: number;
  errors: string[];
  modes: ModeReport[];
  targets: TargetResult[];
  samples: Sample[];
}

export interface MachineLoad {
  before: number[];
  after: number[];
  /** Cores that processes outside the bench used on average during the run (other-cpu.ts); absent off Linux. */
  otherCores?: number;
}

/** Share of the cores other processes may use during a fit run (idle kernel threads use ~0.03 cores here). */
export const MAX_OTHER_SHARE = 0.1;

/**
 * A run is fit to compare when the 1-minute load did not exceed the core
 * count when it started, and other processes used at most `MAX_OTHER_SHARE`
 * of the cores while it ran. (The load after the run is the bench's own:
 * ~3.6 on 2 cores with nothing else running. Off Linux, where other-cpu.ts
 * cannot measure, the load after must stay within the cores too.)
 */
export function isFitToCompare(load: MachineLoad, cores: number): boolean {
  if ((load.before[0] ?? 0) > cores) return false;
  return load.otherCores === undefined ? (load.after[0] ?? 0) <= cores : load.otherCores <= MAX_OTHER_SHARE * cores;
}

export const SERIES_LABELS: Record<SeriesName, string> = {
  plain: VARIANTS.plain.label,
  workbox: VARIANTS.workbox.label,
  tuned: VARIANTS.tuned.label,
  accelerator: VARIANTS.accelerator.label,
  'no-prefetch': VARIANTS['no-prefetch'].label,
  'page-batch': VARIANTS['page-batch'].label,
  floor: 'floor (Node, unlimited pool)',
  'floor-6': 'floor (Node, 6 connections)',
};

function summarizeSeries(samples: Sample[]): SeriesSummary {
  const pick = (f: (s: Sample) => number) => summarize(samples.map(f));
  return {
    ms: pick((s) => s.ms),
    upstreamGets: pick((s) => s.upstreamGets),
    upstreamBytes: pick((s) => s.upstreamBytes),
    upstreamNotFound: pick((s) => s.upstreamNotFound),
    companionRequests: pick((s) => s.companionRequests),
    tilesLoaded: pick((s) => s.tilesLoaded),
    tilesFailed: pick((s) => s.tilesFailed ?? 0),
    slowestTileMs: pick((s) => s.slowestTileMs),
    duplicateGetShare: pick((s) => (s.upstreamUniqueTiles > 0 ? (s.upstreamGets - s.upstreamUniqueTiles) / s.upstreamUniqueTiles : 0)),
    // Every hit of every run: the median of a per-tile cost, not of per-run medians.
    memoryHitMs: summarize(samples.flatMap((s) => s.memoryHitMs)),
    memoryHitPageMs: summarize(samples.flatMap((s) => s.memoryHitPageMs)),
  };
}

export function buildReport(outcome: RunOutcome, options: BenchOptions, chromiumVersion: string, load: MachineLoad = { before: loadavg(), after: loadavg() }): Report {
  const modes: ModeReport[] = [];
  for (const name of options.modes) {
    const mode = MODES[name];
    const inMode = outcome.samples.filter((s) => s.mode === name);
    const series = [...mode.variants.filter((v) => options.variants.includes(v)), ...(mode.floor ? (['floor', 'floor-6'] as const) : [])];
    const scenarios = mode.scenarios.map((scenario) => {
      const entry: ScenarioReport = { scenario, label: SCENARIO_LABELS[scenario], series: {} };
      for (const s of series) {
        const samples = inMode.filter((x) => x.series === s && x.scenario === scenario);
        if (samples.length > 0) entry.series[s] = summarizeSeries(samples);
      }
      return entry;
    });
    modes.push({ mode: name, label: mode.label, series, scenarios });
  }
  const cpu = cpus();
  return {
    generatedAt: new Date().toISOString(),
    machine: {
      cpus: cpu.length,
      cpuModel: cpu[0]?.model ?? 'unknown',
      memoryGb: Math.round(totalmem() / 2 ** 30),
      loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
      node: process.version,
      chromium: chromiumVersion,
      platform: `${process.platform} ${process.arch}`,
      load: { before: load.before.map(round2), after: load.after.map(round2), ...(load.otherCores === undefined ? {} : { otherCores: round2(load.otherCores) }) },
      fitToCompare: isFitToCompare(load, cpu.length),
    },
    options: {
      runs: options.runs, dataset: options.dataset, latency: options.latency, modes: options.modes,
      variants: options.variants, tourSteps: options.tourSteps, quick: options.quick,
    },
    completedRuns: outcome.completedRuns,
    elapsedMs: Math.round(outcome.elapsedMs),
    errors: outcome.errors,
    modes,
    targets: evaluateTargets(modes),
    samples: outcome.samples,
  };
}

const round2 = (n: number) => Math.round(n * 100) / 100;

const kb = (bytes: number) => (Number.isFinite(bytes) ? `${Math.round(bytes / 1024)} KB` : '–');

function timeTable(mode: ModeReport): string[] {
  const header = ['scenario (ms: median (min–max) · ratio to accelerator)', ...mode.series.map((s) => SERIES_LABELS[s]), 'accelerator / floor'];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => ' --- ').join('|')}|`];
  for (const row of mode.scenarios) {
    const acc = row.series.accelerator?.ms;
    const cells = mode.series.map((s) => {
      const summary = row.series[s]?.ms;
      if (!summary) return '–';
      return s === 'accelerator' || !acc ? formatSummary(summary) : `${formatSummary(summary)} · ${formatRatio(ratio(summary, acc))}`;
    });
    lines.push(`| ${row.label} | ${cells.join(' | ')} | ${formatRatio(ratio(acc, row.series.floor?.ms))} |`);
  }
  return lines;
}

function countTable(mode: ModeReport): string[] {
  const series = mode.series.filter((s) => s !== 'floor' && s !== 'floor-6');
  const header = [
    'scenario (medians: upstream GETs (404s, duplicates) · upstream bytes · requests to the companion · tiles loaded)',
    ...series.map((s) => SERIES_LABELS[s]),
  ];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => ' --- ').join('|')}|`];
  for (const row of mode.scenarios) {
    const cells = series.map((s) => {
      const x = row.series[s];
      if (!x) return '–';
      const slow = mode.mode === 'spiky' ? ` · slowest tile ${Math.round(x.slowestTileMs.median)} ms` : '';
      const dup = Math.round(x.duplicateGetShare.median * 100);
      const failed = x.tilesFailed.median > 0 ? ` (${x.tilesFailed.median} failed)` : '';
      return `${x.upstreamGets.median} (${x.upstreamNotFound.median}, ${dup}%) · ${kb(x.upstreamBytes.median)} · ${x.companionRequests.median} · ${x.tilesLoaded.median}${failed}${slow}`;
    });
    lines.push(`| ${row.label} | ${cells.join(' | ')} |`);
  }
  return lines;
}

export function renderMarkdown(report: Report): string {
  const out: string[] = [];
  const m = report.machine;
  out.push(`## Bench results (${report.generatedAt})`, '');
  out.push(`Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGb} GB, load ${m.loadAverage.join(' ')}; Node ${m.node}; Chromium ${m.chromium}. ` +
    `Dataset \`${report.options.dataset}\`, ${report.options.latency.baseMs} ms per upstream GET, ` +
    `runs: ${Object.entries(report.completedRuns).map(([k, v]) => `${k} ${v}`).join(', ')}${report.options.quick ? ' (--quick)' : ''}; ` +
    `took ${Math.round(report.elapsedMs / 1000)} s.`);
  const others = m.load.otherCores === undefined ? '' : ` Processes outside the bench used ${m.load.otherCores} cores on average while it ran (the load after is mostly the bench's own).`;
  out.push('', `Load average (1, 5, 15 min): ${m.load.before.join(' ')} before, ${m.load.after.join(' ')} after, on ${m.cpus} cores.${others}`);
  if (!m.fitToCompare) {
    out.push('', `**Unfit to compare:** the machine was busy with other work (load over the ${m.cpus} cores at the start, or other processes over ${MAX_OTHER_SHARE * m.cpus} cores during the run), which inflates (up to doubles) the figures; rerun on a quiet machine.`);
  }
  for (const mode of report.modes) {
    const protocols = [...new Set(report.samples.filter((s) => s.mode === mode.mode && !s.series.startsWith('floor')).flatMap((s) => s.protocols))];
    out.push('', `### ${mode.label}`, '', `Page tile requests went over: ${protocols.join(', ') || 'caches only'}.`, '', ...timeTable(mode), '', ...countTable(mode));
  }
  out.push('', '### Targets', '', '| target | measured | |', '| --- | --- | --- |');
  for (const t of report.targets) out.push(`| ${t.target} | ${t.measured} | ${t.status} |`);
  if (report.errors.length > 0) out.push('', '### Errors', '', ...report.errors.map((e) => `- ${e}`));
  return out.join('\n');
}

/**
 * The bench loop: for each mode, N runs; in each run every variant once, in
 * an order rotated per run (so no variant always goes first while the
 * machine warms up), then the floor on the tile sets the reference variant
 * fetched. Raw results only; summaries and ratios are the report's job.
 */
import type { Browser } from '@playwright/test';
import type { Certificate } from './certificate.ts';
import { measureFloor } from './floor.ts';
import type { BenchOptions, ModeName, ScenarioName, VariantName } from './options.ts';
import { runSession, type SessionContext, type StepResult } from './session.ts';
import type { LatencyUpstream } from './upstream.ts';
import { DZI_SCENARIOS, MODES, VARIANTS, type Mode } from './variants.ts';

export type FloorName = 'floor' | 'floor-6';
export type SeriesName = VariantName | FloorName;

export interface Sample extends Omit<StepResult, 'upstreamKeySets'> {
  mode: ModeName;
  run: number;
  series: SeriesName;
}

export interface RunOutcome {
  samples: Sample[];
  errors: string[];
  /** Runs actually completed per mode (fewer than asked when the budget ran out). */
  completedRuns: Partial<Record<ModeName, number>>;
  elapsedMs: number;
}

const FLOOR_SCENARIOS: ScenarioName[] = ['home', 'zoom', 'pan', 'tour'];
const COMPARE: ScenarioName[] = ['compare', 'compare-zoom'];
/** Scenarios that need a browser session of their own (a fresh profile, then their own first steps). */
const OWN_SESSION: ScenarioName[] = [...COMPARE, 'returning', ...DZI_SCENARIOS];

function rotate<T>(items: readonly T[], by: number): T[] {
  const k = items.length === 0 ? 0 : by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

export async function runBench(
  browser: Browser,
  upstream: LatencyUpstream,
  certificate: Certificate | undefined,
  options: BenchOptions,
  log: (line: string) => void,
  dzi?: SessionContext['dzi'],
): Promise<RunOutcome> {
  const started = performance.now();
  const outcome: RunOutcome = { samples: [], errors: [], completedRuns: {}, elapsedMs: 0 };
  const ctx: SessionContext = { browser, upstream, options, certificate, ...(dzi ? { dzi } : {}) };
  const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)}s`;
  // Share the budget among the modes by their size (sessions × steps), so an
  // overrun in one does not starve the others.
  const modes = options.modes.map((name) => MODES[name]);
  const weight = (mode: Mode) => mode.variants.filter((v) => options.variants.includes(v)).length * mode.scenarios.length;
  const totalWeight = modes.reduce((sum, mode) => sum + weight(mode), 0) || 1;
  let modeDeadline = started;

  for (const mode of modes) {
    modeDeadline += (options.budgetMs * weight(mode)) / totalWeight;
    const variants = mode.variants.filter((v) => options.variants.includes(v));
    const latency = { ...options.latency, shape: mode.shape };
    for (let run = 0; run < options.runs; run++) {
      if (run > 0 && performance.now() > modeDeadline) {
        log(`[${mode.name}] time budget reached after ${run} run(s); reporting those.`);
        break;
      }
      const main = mode.scenarios.filter((s) => !OWN_SESSION.includes(s));
      const compare = mode.scenarios.filter((s) => COMPARE.includes(s));
      const returning = mode.scenarios.filter((s) => s === 'returning' && options.warmupDataset !== '');
      const dropIn = mode.scenarios.filter((s) => DZI_SCENARIOS.includes(s) && dzi !== undefined);
      const byVariant = new Map<VariantName, StepResult[]>();
      for (const variant of rotate(variants, run)) {
        for (const scenarios of [main, compare, returning, dropIn]) {
          if (scenarios.length === 0 || (scenarios === compare && !VARIANTS[variant].comparison)) continue;
          if (scenarios === dropIn && !VARIANTS[variant].dziPage) continue;
          upstream.startRun(run, latency);
          dzi?.host.startRun(run, latency);
          try {
            const steps = await runSession(ctx, mode, VARIANTS[variant], scenarios);
            if (scenarios === main) byVariant.set(variant, steps);
            for (const step of steps) outcome.samples.push(toSample(mode, run, variant, step));
            log(`[${mode.name} ${run + 1}/${options.runs} ${elapsed()}] ${VARIANTS[variant].label}: ${describe(steps)}`);
          } catch (error) {
            const message = `[${mode.name} ${run + 1}] ${variant} ${scenarios.join(',')}: ${(error as Error).message.split('\n')[0]}`;
            outcome.errors.push(message);
            log(`${message} (run skipped)`);
          }
        }
      }
      if (mode.floor) await runFloor(mode, run, byVariant, upstream, latency, outcome, log);
      outcome.completedRuns[mode.name] = run + 1;
    }
  }
  outcome.elapsedMs = performance.now() - started;
  return outcome;
}

async function runFloor(
  mode: Mode,
  run: number,
  byVariant: Map<VariantName, StepResult[]>,
  upstream: LatencyUpstream,
  latency: BenchOptions['latency'],
  outcome: RunOutcome,
  log: (line: string) => void,
): Promise<void> {
  // Plain OpenSeadragon without a cache fetches exactly what each view needs, no more.
  const reference = byVariant.get('plain') ?? byVariant.get('tuned') ?? [...byVariant.values()][0];
  if (!reference) return;
  const parts: string[] = [];
  for (const step of reference.filter((s) => FLOOR_SCENARIOS.includes(s.scenario))) {
    for (const [series, connections] of [['floor', null], ['floor-6', 6]] as const) {
      upstream.startRun(run, latency);
      const ms = await measureFloor(upstream.url, step.upstreamKeySets, connections);
      const counters = upstream.take();
      outcome.samples.push({
        mode: mode.name, run, series, scenario: step.scenario, ms,
        tilesLoaded: 0, tilesFailed: 0, tileResponses: 0, tileBytes: 0, slowestTileMs: Number.NaN, memoryHitMs: [], memoryHitPageMs: [], protocols: ['http/1.1'],
        upstreamGets: counters.tileGets, upstreamUniqueTiles: new Set(counters.keys).size,
        upstreamBytes: counters.bytes, upstreamNotFound: counters.notFound, companionRequests: 0,
      });
      if (series === 'floor') parts.push(`${step.scenario} ${Math.round(ms)}`);
    }
  }
  log(`[${mode.name} ${run + 1}] floor (unlimited pool): ${parts.join(' · ')} ms`);
}

function toSample(mode: Mode, run: number, series: SeriesName, step: StepResult): Sample {
  const { upstreamKeySets: _keys, ...rest } = step;
  return { ...rest, mode: mode.name, run, series };
}

function describe(steps: StepResult[]): string {
  return steps.map((s) => `${s.scenario} ${Math.round(s.ms)} ms/${s.upstreamGets} GETs`).join(' · ');
}

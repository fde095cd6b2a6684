/**
 * Every number the bench uses, with its default, in one place; and the
 * command line (`npm run bench -- --quick --runs 3 --no-h2 ...`) that
 * overrides them.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_LATENCY, type LatencyOptions } from './latency.ts';

export type ModeName = 'h1' | 'h2' | 'spiky';
export type VariantName = 'plain' | 'workbox' | 'tuned' | 'accelerator' | 'no-prefetch' | 'page-batch';
export type ScenarioName =
  | 'home' | 'zoom' | 'pan' | 'tour' | 'reload' | 'warm-zoom' | 'compare' | 'compare-zoom' | 'returning'
  | 'dzi' | 'dzi-zoom' | 'dzi-reload';

export const VARIANT_NAMES = ['plain', 'workbox', 'tuned', 'accelerator', 'no-prefetch', 'page-batch'] as const;

export interface BenchOptions {
  /** Interleaved runs per variant (each a fresh browser context). */
  runs: number;
  dataset: string;
  /**
   * "Returning visitor, new image": the session first views this dataset (the
   * worker installs and fills its tiers with it), then `dataset` is measured cold.
   * Empty: the scenario is skipped (main.ts empties it when the dataset is missing).
   */
  warmupDataset: string;
  tilesDir: string;
  /**
   * The drop-in scenario (`dzi*`): where the dataset's DZI made by `vips dzsave`
   * is kept between runs; empty: the scenario is skipped (`--no-dzi`, or main.ts
   * could not make it).
   */
  dziCacheDir: string;
  latency: LatencyOptions;
  modes: ModeName[];
  variants: VariantName[];
  /** View changes in the scripted tour. */
  tourSteps: number;
  /** Longest wait for one view to load before the step counts as failed. */
  stepTimeoutMs: number;
  /**
   * After each measured view, wait until the upstream has been idle this long
   * (the accelerator prefetches ~200 ms after a view settles), so each view's
   * GETs include the prefetch it caused and the next view starts quiet.
   */
  settleIdleMs: number;
  settleMaxMs: number;
  /** No new run starts after this; what finished is reported. */
  budgetMs: number;
  outDir: string;
  /** The built page and workers (`npx vite build`). */
  distDir: string;
  chromiumPath: string;
  quick: boolean;
  /** Skip writing results (a look without touching bench/results). */
  write: boolean;
}

export const DEFAULT_OPTIONS: BenchOptions = {
  runs: 5,
  dataset: 'sample',
  warmupDataset: 'mixed',
  tilesDir: process.env['TILES_DIR'] ?? 'data/tiles',
  dziCacheDir: join(tmpdir(), 'tile-accelerator-bench-dzi'),
  latency: DEFAULT_LATENCY,
  modes: ['h1', 'h2', 'spiky'],
  variants: [...VARIANT_NAMES],
  tourSteps: 10,
  stepTimeoutMs: 30_000,
  settleIdleMs: 400,
  settleMaxMs: 5_000,
  budgetMs: 9 * 60_000,
  outDir: 'bench/results',
  distDir: 'dist',
  chromiumPath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
  quick: false,
  write: true,
};

/** `--quick`: one run of everything, to see the table in under two minutes. */
const QUICK: Partial<BenchOptions> = { runs: 1, budgetMs: 100_000 };

export const USAGE = `usage: npm run bench -- [--quick] [--runs N] [--dataset NAME] [--latency MS]
       [--modes h1,h2,spiky] [--variants plain,workbox,tuned,accelerator,no-prefetch,page-batch] [--tour-steps N]
       [--warmup-dataset NAME] [--no-dzi] [--dzi-dir DIR]
       [--tiles-dir DIR] [--out DIR] [--no-write]`;

function list<T extends string>(value: string | undefined, allowed: readonly T[], fallback: T[]): T[] {
  if (value === undefined) return fallback;
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = items.filter((item) => !(allowed as readonly string[]).includes(item));
  if (bad.length > 0) throw new Error(`unknown ${bad.join(', ')}: choose from ${allowed.join(', ')}\n${USAGE}`);
  return items as T[];
}

function positive(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} needs a positive number, got "${value}"\n${USAGE}`);
  return n;
}

export function parseBenchArgs(args: string[]): BenchOptions {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      quick: { type: 'boolean', default: false },
      runs: { type: 'string' },
      dataset: { type: 'string' },
      'warmup-dataset': { type: 'string' },
      latency: { type: 'string' },
      modes: { type: 'string' },
      variants: { type: 'string' },
      'tour-steps': { type: 'string' },
      'no-write': { type: 'boolean', default: false },
      'no-dzi': { type: 'boolean', default: false },
      'dzi-dir': { type: 'string' },
      out: { type: 'string' },
      'tiles-dir': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) throw new Error(USAGE);
  const base = { ...DEFAULT_OPTIONS, ...(values.quick ? QUICK : {}), quick: values.quick ?? false };
  return {
    ...base,
    runs: Math.round(positive(values.runs, 'runs', base.runs)),
    dataset: values.dataset ?? base.dataset,
    warmupDataset: values['warmup-dataset'] ?? base.warmupDataset,
    tilesDir: values['tiles-dir'] ?? base.tilesDir,
    dziCacheDir: values['no-dzi'] ? '' : (values['dzi-dir'] ?? base.dziCacheDir),
    outDir: values.out ?? base.outDir,
    latency: { ...base.latency, baseMs: positive(values.latency, 'latency', base.latency.baseMs) },
    modes: list(values.modes, ['h1', 'h2', 'spiky'] as const, base.modes),
    variants: list(values.variants, VARIANT_NAMES, base.variants),
    tourSteps: Math.round(positive(values['tour-steps'], 'tour-steps', base.tourSteps)),
    write: !values['no-write'],
  };
}

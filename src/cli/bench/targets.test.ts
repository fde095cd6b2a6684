import { describe, expect, it } from 'vitest';
import type { ModeName, ScenarioName } from './options.ts';
import type { ModeReport, SeriesSummary } from './report.ts';
import type { SeriesName } from './runner.ts';
import { summarize } from './stats.ts';
import { evaluateTargets } from './targets.ts';

function series(ms: number, extra: Partial<Record<keyof SeriesSummary, number>> = {}): SeriesSummary {
  const s = (v: number | undefined) => summarize(v === undefined ? [] : [v]);
  return {
    ms: s(ms),
    upstreamGets: s(extra.upstreamGets ?? 40),
    upstreamBytes: s(1),
    upstreamNotFound: s(0),
    companionRequests: s(1),
    tilesLoaded: s(extra.tilesLoaded ?? 40),
    tilesFailed: s(0),
    slowestTileMs: s(extra.slowestTileMs),
    duplicateGetShare: s(extra.duplicateGetShare ?? 0),
    memoryHitMs: s(extra.memoryHitMs),
    memoryHitPageMs: s(extra.memoryHitPageMs),
  };
}

function mode(name: ModeName, rows: Partial<Record<ScenarioName, Partial<Record<SeriesName, SeriesSummary>>>>): ModeReport {
  return {
    mode: name,
    label: name,
    series: ['plain', 'workbox', 'tuned', 'accelerator', 'floor', 'floor-6'],
    scenarios: Object.entries(rows).map(([scenario, s]) => ({ scenario: scenario as ScenarioName, label: scenario, series: s })),
  };
}

const find = (results: ReturnType<typeof evaluateTargets>, text: string) => results.find((r) => r.target.includes(text))!;

describe('evaluateTargets', () => {
  it('meets the prefetch-off zoom target within 1.5x of the unlimited floor, and misses it past that, saying by how much', () => {
    const met = evaluateTargets([mode('h1', { zoom: { 'no-prefetch': series(150), floor: series(110) } })]);
    expect(find(met, '≤ 1.5x the unlimited floor').status).toBe('met');
    const missed = find(evaluateTargets([mode('h1', { zoom: { 'no-prefetch': series(200), floor: series(100) } })]), '≤ 1.5x the unlimited floor');
    expect(missed).toMatchObject({ status: 'missed' });
    expect(missed.measured).toContain('over by 50.0 ms');
  });

  it('says by how much a speed-up is short', () => {
    const results = evaluateTargets([mode('h1', { home: { plain: series(600), 'page-batch': series(500) } })]);
    const home = find(results, 'HTTP/1.1: first-visit home view');
    expect(home.status).toBe('missed');
    expect(home.measured).toContain('1.20x');
    expect(home.measured).toContain('short by 1.25x');
  });

  it('never passes a target whose series did not run', () => {
    const results = evaluateTargets([mode('h1', { zoom: { 'page-batch': series(150) } })]);
    expect(find(results, 'HTTP/2: tour').status).toBe('not measured');
    expect(find(results, 'HTTP/1.1: reload').status).toBe('not measured');
    expect(results.filter((r) => r.status === 'met')).toEqual([]);
  });

  it('checks warm scenarios at 0.8x of tuned, memory hits, duplicate GETs, two viewers and the spiky slowest tile', () => {
    const results = evaluateTargets([
      mode('h1', {
        reload: { tuned: series(60), 'page-batch': series(50) },
        'warm-zoom': { tuned: series(60), 'page-batch': series(40), accelerator: series(40, { memoryHitMs: 0.4, memoryHitPageMs: 1.2 }) },
        compare: { tuned: series(400), 'page-batch': series(390) },
        'compare-zoom': { 'page-batch': series(200, { duplicateGetShare: 0.12 }) },
      }),
      mode('spiky', { zoom: { tuned: series(2000, { slowestTileMs: 1800 }), 'page-batch': series(300, { slowestTileMs: 250 }) } }),
    ]);
    expect(find(results, 'HTTP/1.1: reload').status).toBe('missed'); // 50 > 0.8 x 60
    expect(find(results, 'HTTP/1.1: warm-zoom').status).toBe('met');
    expect(find(results, 'two viewers').status).toBe('met');
    expect(find(results, 'memory hit')).toMatchObject({ status: 'met' });
    expect(find(results, 'memory hit').measured).toContain('as the page saw it, queued behind the view\'s other hits: 1.2 ms');
    expect(find(results, '(compare-zoom)').status).toBe('missed');
    expect(find(results, 'slowest tile of the zoom').status).toBe('met');
  });

  it('checks the prefetch budget on the cold home view: GETs beyond the view\'s own tiles at most 2x them', () => {
    const met = find(evaluateTargets([mode('h1', { home: { 'page-batch': series(900, { upstreamGets: 63, tilesLoaded: 21 }) } })]), 'prefetch costs');
    expect(met).toMatchObject({ status: 'met' });
    expect(met.measured).toContain('42 prefetched for 21 view tiles');
    const missed = find(evaluateTargets([mode('h1', { home: { 'page-batch': series(900, { upstreamGets: 77, tilesLoaded: 21 }) } })]), 'prefetch costs');
    expect(missed).toMatchObject({ status: 'missed' });
    expect(find(evaluateTargets([mode('h1', {})]), 'prefetch costs').status).toBe('not measured');
  });

  it('checks the returning-visitor targets on the page-batch series', () => {
    const results = evaluateTargets([
      mode('h1', { returning: { plain: series(750), 'page-batch': series(250) } }),
      mode('h2', { returning: { tuned: series(500), 'page-batch': series(400) } }),
    ]);
    expect(find(results, 'HTTP/1.1: returning visitor').status).toBe('met');
    expect(find(results, 'HTTP/2: returning visitor').status).toBe('missed');
    expect(find(results, 'HTTP/2: returning visitor').measured).toContain('short by');
  });
});

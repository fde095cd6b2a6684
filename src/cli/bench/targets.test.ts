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
    upstreamGets: s(40),
    upstreamBytes: s(1),
    upstreamNotFound: s(0),
    companionRequests: s(1),
    tilesLoaded: s(40),
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
  it('meets the HTTP/1.1 zoom targets when the accelerator is 4.5x faster and within 1.5x of the floor', () => {
    const results = evaluateTargets([
      mode('h1', { zoom: { plain: series(790), workbox: series(790), tuned: series(760), accelerator: series(150), floor: series(110) } }),
    ]);
    expect(find(results, 'within 1.5x of the unlimited floor').status).toBe('met');
    expect(find(results, 'faster than plain').status).toBe('met');
    expect(find(results, 'faster than tuned').status).toBe('met');
  });

  it('says by how much a target is missed', () => {
    const results = evaluateTargets([mode('h1', { zoom: { tuned: series(600), accelerator: series(200), floor: series(100) } })]);
    const floor = find(results, 'within 1.5x of the unlimited floor');
    expect(floor).toMatchObject({ status: 'missed' });
    expect(floor.measured).toContain('over by 50.0 ms');
    const tuned = find(results, 'faster than tuned');
    expect(tuned.status).toBe('missed');
    expect(tuned.measured).toContain('3.00x');
    expect(tuned.measured).toContain('short by 1.50x');
  });

  it('never passes a target whose series did not run', () => {
    const results = evaluateTargets([mode('h1', { zoom: { accelerator: series(150) } })]);
    expect(find(results, 'faster than workbox').status).toBe('not measured');
    expect(find(results, 'HTTP/2: tour').status).toBe('not measured');
    expect(results.filter((r) => r.status === 'met')).toEqual([]);
  });

  it('checks warm scenarios, memory hits, duplicate GETs and the spiky slowest tile', () => {
    const results = evaluateTargets([
      mode('h1', {
        reload: { tuned: series(60), accelerator: series(61) },
        'warm-zoom': { tuned: series(60), accelerator: series(40, { memoryHitMs: 0.4, memoryHitPageMs: 1.2 }) },
        'compare-zoom': { accelerator: series(200, { duplicateGetShare: 0.12 }) },
      }),
      mode('spiky', { zoom: { tuned: series(2000, { slowestTileMs: 1800 }), accelerator: series(300, { slowestTileMs: 250 }) } }),
    ]);
    expect(find(results, 'HTTP/1.1: reload').status).toBe('missed');
    expect(find(results, 'HTTP/1.1: warm-zoom').status).toBe('met');
    expect(find(results, 'memory hit')).toMatchObject({ status: 'met' });
    expect(find(results, 'memory hit').measured).toContain('as the page saw it, queued behind the view\'s other hits: 1.2 ms');
    expect(find(results, '(compare-zoom)').status).toBe('missed');
    expect(find(results, 'slowest tile of the zoom').status).toBe('met');
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

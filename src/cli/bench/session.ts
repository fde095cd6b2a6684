/**
 * One cold session of one variant: a fresh browser context (empty HTTP cache,
 * no worker, no storage) and a fresh companion (empty server cache), then the
 * mode's scenarios in order. Each step's upstream counters are taken right
 * after the view is fully loaded.
 */
import type { Browser } from '@playwright/test';
import { DEFAULTS } from '../../server/defaults.ts';
import { startCompanion } from '../../server/node-server.ts';
import { sourceFromConfig, upstreamSettings } from '../../server/source-from-config.ts';
import { createPoolFetch } from '../../server/upstream/pool-fetch.ts';
import type { Certificate } from './certificate.ts';
import type { BenchOptions, ScenarioName } from './options.ts';
import { failedView, installProbe, measureAction, measureNavigation, type PageMeasure, type ViewAction } from './page-probe.ts';
import type { LatencyUpstream } from './upstream.ts';
import { DZI_SCENARIOS, type Mode, type Variant } from './variants.ts';

export interface StepResult extends PageMeasure {
  scenario: ScenarioName;
  upstreamGets: number;
  /** Distinct tiles among the GETs: GETs above it were duplicates. */
  upstreamUniqueTiles: number;
  upstreamBytes: number;
  upstreamNotFound: number;
  /** Requests that reached the companion's tile and batch endpoints. */
  companionRequests: number;
  /** Per view of a tour: the tile keys fetched upstream, for the floor. */
  upstreamKeySets: string[][];
}

/** The tour: view changes a reader makes while exploring (relative zooms and pans). */
export function tourActions(steps: number): ViewAction[] {
  const cycle: ViewAction[] = [
    { kind: 'zoom', factor: 2 },
    { kind: 'pan', dx: 0.5, dy: 0 },
    { kind: 'pan', dx: 0, dy: 0.5 },
    { kind: 'zoom', factor: 2 },
    { kind: 'pan', dx: -0.5, dy: 0 },
    { kind: 'pan', dx: 0, dy: -0.5 },
    { kind: 'zoom', factor: 0.5 },
    { kind: 'pan', dx: 1, dy: 0 },
    { kind: 'zoom', factor: 2 },
    { kind: 'pan', dx: 0, dy: 1 },
  ];
  return Array.from({ length: steps }, (_, i) => cycle[i % cycle.length]!);
}

const INIT_SCRIPT = `globalThis.__name = globalThis.__name || ((f) => f); (${installProbe.toString()})();`;

export interface SessionContext {
  browser: Browser;
  upstream: LatencyUpstream;
  options: BenchOptions;
  certificate: Certificate | undefined;
  /**
   * The drop-in scenario's CORS host on another port, serving the DZI at `url`
   * (absent: scenario skipped); in that session the companion reads its
   * objects from that host (`host.url`), so a page with a companion gets them as dataset "scan".
   */
  dzi?: { host: LatencyUpstream; url: string };
}

export async function runSession(ctx: SessionContext, mode: Mode, variant: Variant, scenarios: ScenarioName[]): Promise<StepResult[]> {
  const { browser, options } = ctx;
  // The drop-in session counts at the DZI host: its tiles never pass the companion's upstream.
  const dropIn = scenarios.some((s) => DZI_SCENARIOS.includes(s));
  if (dropIn && !(ctx.dzi && variant.dziPage)) throw new Error(`the drop-in scenario needs a DZI host and a page for ${variant.name}`);
  const upstream = dropIn ? ctx.dzi!.host : ctx.upstream;
  // The companion as `npm start` builds it for R2_PUBLIC_URL, pointed at the slow upstream.
  const pool = createPoolFetch({
    connections: DEFAULTS.upstreamConnections,
    timeoutMs: DEFAULTS.upstreamTimeoutMs,
    keepAliveMs: DEFAULTS.upstreamKeepAliveMs,
  });
  const companion = await startCompanion({
    source: sourceFromConfig({ kind: 'r2-public-url', publicUrl: upstream.url }, pool.fetch, upstreamSettings()),
    staticDir: options.distDir,
    // The bench's own Playwright driving lags the loop this companion shares: no lag shedding here.
    maxLoopLagMs: Number.POSITIVE_INFINITY,
    ...(mode.http2 && ctx.certificate ? { tls: ctx.certificate } : {}),
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const results: StepResult[] = [];
  const pageErrors: string[] = [];
  try {
    await context.addInitScript({ content: INIT_SCRIPT });
    const page = await context.newPage();
    // A failed step reports what the page said, which is usually why.
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.text().includes('404')) pageErrors.push(message.text());
    });
    if (!variant.httpCache) {
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    }
    let lastCompanion = 0;
    upstream.take();
    const record = async (scenario: ScenarioName, measure: PageMeasure, keySets?: string[][]): Promise<void> => {
      const failed = failedView(scenario, measure);
      if (failed) throw new Error(`${failed}; companion: ${companionDiagnosis(companion)}`);
      await upstream.settle(options.settleIdleMs, options.settleMaxMs);
      const counters = upstream.take();
      const overall = companion.stats.overall();
      const companionTotal = overall.tileRequests + overall.batchRequests;
      results.push({
        ...measure,
        scenario,
        upstreamGets: counters.tileGets,
        upstreamUniqueTiles: new Set(counters.keys).size,
        upstreamBytes: counters.bytes,
        upstreamNotFound: counters.notFound,
        companionRequests: companionTotal - lastCompanion,
        upstreamKeySets: keySets ?? [counters.keys],
      });
      lastCompanion = companionTotal;
    };
    const timeout = options.stepTimeoutMs;
    const viewers = scenarios.includes('compare') ? 2 : 1;
    const url = companion.url + (dropIn ? variant.dziPage!(ctx.dzi!.url) : variant.page(options.dataset, viewers));

    for (const scenario of scenarios) {
      switch (scenario) {
        case 'home':
        case 'compare':
        case 'dzi':
          await record(scenario, await measureNavigation(page, () => page.goto(url), timeout));
          break;
        case 'reload':
        case 'dzi-reload':
          await record(scenario, await measureNavigation(page, () => page.reload(), timeout));
          break;
        case 'returning': {
          // A visitor who saw another image on this site: the worker is installed
          // and active, its tiers (and the HTTP cache) hold only the other dataset.
          await measureNavigation(page, () => page.goto(companion.url + variant.page(options.warmupDataset, 1)), timeout);
          await upstream.settle(options.settleIdleMs, options.settleMaxMs);
          upstream.take();
          lastCompanion = companion.stats.overall().tileRequests + companion.stats.overall().batchRequests;
          await record(scenario, await measureNavigation(page, () => page.goto(url), timeout));
          break;
        }
        case 'zoom':
        case 'warm-zoom':
        case 'compare-zoom':
        case 'dzi-zoom':
          await record(scenario, await measureAction(page, { kind: 'zoom', factor: 2 }, timeout));
          break;
        case 'pan':
          await record(scenario, await measureAction(page, { kind: 'pan', dx: 0, dy: 0.5 }, timeout));
          break;
        case 'tour': {
          const views: PageMeasure[] = [];
          const keySets: string[][] = [];
          for (const action of tourActions(options.tourSteps)) {
            views.push(await measureAction(page, action, timeout));
            keySets.push(upstream.peekKeys().slice(keySets.flat().length));
          }
          await record('tour', sumViews(views), keySets);
          break;
        }
      }
    }
  } catch (error) {
    const said = pageErrors.length > 0 ? ` (page: ${pageErrors.slice(0, 3).join(' | ')})` : '';
    throw new Error(`${(error as Error).message.split('\n')[0]}${said}`, { cause: error });
  } finally {
    await context.close();
    await companion.close();
    await pool.close();
  }
  return results;
}

/** What the companion refused or failed so far: why a view's tiles may have failed. */
function companionDiagnosis(companion: Awaited<ReturnType<typeof startCompanion>>): string {
  const c = companion.stats.overall();
  const source = companion.service.source as { health?: () => { breaker: { state: string; opens: number; rejected: number } }; metrics?: { overall(): { outcomes: Record<string, number> } } };
  const breaker = source.health?.().breaker;
  const outcomes = source.metrics?.overall().outcomes;
  const parts = [
    `${c.sourceErrors} upstream errors`, `${c.overloaded} refused as overloaded`, `${c.negativeHits} answered absent from the negative cache`,
    `${c.outOfBounds} out of bounds`, `${c.invalidBodies} invalid bodies`, `${c.staleInfoServed} stale info answers`,
    ...(breaker ? [`circuit breaker ${breaker.state} (opened ${breaker.opens}x, ${breaker.rejected} GETs refused)`] : []),
    ...(outcomes ? [`upstream GET outcomes ${Object.entries(outcomes).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(' ')}`] : []),
  ];
  return parts.join(', ');
}

function sumViews(views: PageMeasure[]): PageMeasure {
  return {
    ms: views.reduce((s, v) => s + v.ms, 0),
    tilesLoaded: views.reduce((s, v) => s + v.tilesLoaded, 0),
    tilesFailed: views.reduce((s, v) => s + v.tilesFailed, 0),
    ...(views.some((v) => v.lastTileError) ? { lastTileError: [...views].reverse().find((v) => v.lastTileError)!.lastTileError! } : {}),
    tileResponses: views.reduce((s, v) => s + v.tileResponses, 0),
    tileBytes: views.reduce((s, v) => s + v.tileBytes, 0),
    slowestTileMs: Math.max(0, ...views.map((v) => v.slowestTileMs)),
    memoryHitMs: views.flatMap((v) => v.memoryHitMs),
    memoryHitPageMs: views.flatMap((v) => v.memoryHitPageMs),
    protocols: [...new Set(views.flatMap((v) => v.protocols))],
  };
}

/**
 * `npm run bench [-- --quick]` (the npm script builds dist/ first): a slow
 * upstream on 127.0.0.1, one Chromium, then the runner; prints progress, the
 * markdown table and the targets, and writes bench/results/latest.json,
 * latest.md and chart.svg.
 */
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS } from '../../../playwright.config.ts';
import { selfSignedCertificate, spkiHash } from './certificate.ts';
import { parseBenchArgs, type BenchOptions } from './options.ts';
import { renderChart } from './chart.ts';
import { buildReport, renderMarkdown } from './report.ts';
import { runBench } from './runner.ts';
import { benchDzi } from './dzi-pyramid.ts';
import { LatencyUpstream } from './upstream.ts';
import { DZI_SCENARIOS, MODES, VARIANTS } from './variants.ts';
import { cpuSnapshot, otherCores } from './other-cpu.ts';

const log = (line: string) => process.stdout.write(`${line}\n`);

function preflight(options: BenchOptions): string | undefined {
  if (!existsSync(join(options.distDir, 'bench/pages/bench.html')) || !existsSync(join(options.distDir, 'workbox-sw.js'))) {
    return `${options.distDir}/ has no bench page: run "npx vite build" first.`;
  }
  if (!existsSync(join(options.tilesDir, options.dataset, 'info.json'))) {
    return `${options.tilesDir}/${options.dataset}/info.json is missing: run "npm run sample" first.`;
  }
  if (!existsSync(options.chromiumPath)) return `${options.chromiumPath} is missing: install Debian's chromium or set CHROMIUM_PATH.`;
  return undefined;
}

export async function main(args: string[]): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseBenchArgs(args);
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n`);
    return 2;
  }
  const problem = preflight(options);
  if (problem) {
    process.stderr.write(`bench: ${problem}\n`);
    return 1;
  }
  if (!existsSync(join(options.tilesDir, options.warmupDataset, 'info.json')) || options.warmupDataset === options.dataset) {
    log(`bench: no other dataset "${options.warmupDataset}" in ${options.tilesDir} (--warmup-dataset): the returning-visitor scenario is skipped.`);
    options = { ...options, warmupDataset: '' };
  }
  log(`bench: ${options.runs} run(s) × modes ${options.modes.join(', ')} × variants ${options.variants.join(', ')}; ` +
    `${options.latency.baseMs} ms per upstream GET; dataset ${options.dataset}`);

  const loadBefore = loadavg();
  const cpuBefore = cpuSnapshot();
  log(`bench: load average ${formatLoad(loadBefore)} on ${cpus().length} cores before the run`);
  const upstream = new LatencyUpstream(options.tilesDir, options.latency);
  await upstream.listen();
  const dzi = await dropInHost(options);
  const certificate = options.modes.includes('h2') ? await selfSignedCertificate() : undefined;
  const browser = await chromium.launch({
    executablePath: options.chromiumPath,
    args: [...CHROMIUM_ARGS, ...(certificate ? [`--ignore-certificate-errors-spki-list=${spkiHash(certificate.cert)}`] : [])],
  });
  try {
    const outcome = await runBench(browser, upstream, certificate, options, log, dzi);
    const loadAfter = loadavg();
    const cpuAfter = cpuSnapshot();
    const others = cpuBefore && cpuAfter ? otherCores(cpuBefore, cpuAfter) : undefined;
    log(`bench: load average ${formatLoad(loadAfter)} on ${cpus().length} cores after the run` +
      (others === undefined ? '' : `; other processes used ${others.toFixed(2)} cores on average during it`));
    const report = buildReport(outcome, options, browser.version(), { before: loadBefore, after: loadAfter, ...(others === undefined ? {} : { otherCores: others }) });
    if (!report.machine.fitToCompare) log('bench: UNFIT TO COMPARE: the machine was busy with other work; the figures are inflated.');
    const markdown = renderMarkdown(report);
    log('');
    log(markdown);
    if (options.write) {
      await mkdir(options.outDir, { recursive: true });
      await writeFile(join(options.outDir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
      await writeFile(join(options.outDir, 'latest.md'), `${markdown}\n`);
      await writeFile(join(options.outDir, 'chart.svg'), renderChart(report));
      log(`wrote ${options.outDir}/latest.json, latest.md and chart.svg`);
    }
    return outcome.samples.length > 0 ? 0 : 1;
  } finally {
    await browser.close();
    await upstream.close();
    await dzi?.host.close();
  }
}

/**
 * The drop-in scenario's host: the dataset as a DZI (`vips dzsave`, made once
 * and cached), served from a second 127.0.0.1 port with CORS and the same
 * per-GET latency. Undefined (scenario skipped, with a line) when it is off
 * or cannot be made.
 */
async function dropInHost(options: BenchOptions): Promise<{ host: LatencyUpstream; url: string } | undefined> {
  if (!options.dziCacheDir || !options.modes.some((m) => MODES[m].scenarios.some((s) => DZI_SCENARIOS.includes(s)))) return undefined;
  if (!options.variants.some((v) => VARIANTS[v].dziPage)) return undefined;
  try {
    const started = performance.now();
    const dzi = await benchDzi(options.tilesDir, options.dataset, options.dziCacheDir);
    const host = new LatencyUpstream(dzi.root, options.latency, { cors: true });
    const url = `${await host.listen()}/${dzi.descriptor}`;
    log(`bench: drop-in DZI ${url} (vips dzsave, in ${dzi.root}; ${((performance.now() - started) / 1000).toFixed(0)} s)`);
    return { host, url };
  } catch (error) {
    log(`bench: ${(error as Error).message} The drop-in scenario is skipped.`);
    return undefined;
  }
}

function formatLoad(load: number[]): string {
  return load.map((l) => l.toFixed(2)).join(' ');
}

process.exitCode = await main(process.argv.slice(2));

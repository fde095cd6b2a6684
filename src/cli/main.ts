/**
 * CLI entry: `tile-accelerator <sample|tile|upload> ...`. Each subcommand
 * parses its own flags; a CliError becomes one line on stderr and an exit
 * code, anything else is a bug and keeps its stack.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { join } from 'node:path';
import { S3Objects } from '../shared/s3-objects.ts';
import { isValidDatasetPath } from '../shared/dataset-path.ts';
import { CliError } from './cli-error.ts';
import { describeCommand } from './describe-command.ts';
import { createProgress, formatBytes } from './progress.ts';
import { isTilerFormat } from './pyramid.ts';
import { runSample } from './sample.ts';
import { layoutDefaults, parseTileLayout, runTile } from './tiler.ts';
import { readUploadEnv } from './upload-env.ts';
import { uploadDataset } from './uploader.ts';

const USAGE = `usage:
  tile-accelerator sample [--out DIR] [--if-missing]
  tile-accelerator tile <image> --dataset NAME [--out DIR] [--layout own|zxy|dzi] [--format jpg|png|webp] [--quality N] [--tile-size 256] [--overlap 0] [--force]
  tile-accelerator upload <dataset> [--from DIR]
  tile-accelerator describe <dataset> [--from DIR | --bucket] [--layout zxy|xyz] [--force]
DIR defaults to $TILES_DIR or data/tiles.`;

function defaultTilesDir(): string {
  return process.env['TILES_DIR'] || 'data/tiles';
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

function parse<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    throw new CliError('usage', `${(error as Error).message}\n${USAGE}`);
  }
}

async function sampleCommand(args: string[]): Promise<void> {
  const { values } = parse({
    args,
    options: { out: { type: 'string' }, 'if-missing': { type: 'boolean', default: false } },
    strict: true,
  });
  await runSample({ outRoot: values.out ?? defaultTilesDir(), ifMissing: values['if-missing'] ?? false, log });
}

function wholeNumber(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value)) throw new CliError('usage', `--${flag} must be a whole number, got "${text}".`);
  return value;
}

function onePositional(positionals: string[], what: string): string {
  if (positionals.length !== 1 || !positionals[0]) throw new CliError('usage', `expected exactly one ${what}\n${USAGE}`);
  return positionals[0];
}

async function tileCommand(args: string[]): Promise<void> {
  const { values, positionals } = parse({
    args,
    allowPositionals: true,
    options: {
      dataset: { type: 'string' },
      out: { type: 'string' },
      format: { type: 'string', default: 'jpg' },
      quality: { type: 'string' },
      'tile-size': { type: 'string' },
      overlap: { type: 'string' },
      force: { type: 'boolean', default: false },
      layout: { type: 'string', default: 'own' },
    },
    strict: true,
  });
  const input = onePositional(positionals, 'image path');
  const layout = parseTileLayout(values.layout);
  const defaults = layoutDefaults(layout);
  if (!values.dataset) throw new CliError('usage', `--dataset NAME is required\n${USAGE}`);
  const format = values.format ?? 'jpg';
  if (!isTilerFormat(format)) throw new CliError('usage', `--format must be jpg, png or webp, got "${format}".`);
  await runTile({
    input,
    dataset: values.dataset,
    outRoot: values.out ?? defaultTilesDir(),
    format,
    quality: wholeNumber('quality', values.quality, 82),
    tileSize: wholeNumber('tile-size', values['tile-size'], defaults.tileSize),
    overlap: wholeNumber('overlap', values.overlap, defaults.overlap),
    force: values.force ?? false,
    layout,
    log,
  });
}

async function uploadCommand(args: string[]): Promise<void> {
  const { values, positionals } = parse({ args, allowPositionals: true, options: { from: { type: 'string' } }, strict: true });
  const dataset = onePositional(positionals, 'dataset name');
  if (!isValidDatasetPath(dataset)) {
    throw new CliError('bad-dataset-name', `dataset name "${dataset}" is invalid: use folders of 1-128 of A-Z a-z 0-9 . _ - separated by "/", and no "..".`);
  }
  const env = readUploadEnv(process.env);
  const objects = new S3Objects({ ...env, region: 'auto' });
  const started = Date.now();
  const summary = await uploadDataset({
    datasetDir: join(values.from ?? defaultTilesDir(), dataset),
    dataset,
    objects,
    maxWorkers: env.maxWorkers,
    progress: createProgress(process.stderr),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  log(
    `upload ${dataset} -> ${env.bucket}: uploaded ${summary.uploaded}, skipped ${summary.skipped}, failed ${summary.failed}` +
      (summary.notAttempted ? `, not attempted ${summary.notAttempted}` : '') +
      `, ${formatBytes(summary.bytes)} in ${seconds} s; R2 Class A ops (PUT) ${summary.classA}, Class B ops (HEAD) ${summary.classB}`,
  );
  if (!summary.infoPublished) {
    throw new CliError('upload-failed', `${summary.failed} objects failed, so the descriptor (info.json, .dzi, ...) was not published; rerun the same command to resume.`);
  }
}

const COMMANDS: Record<string, (args: string[]) => Promise<void>> = {
  sample: sampleCommand,
  tile: tileCommand,
  upload: uploadCommand,
  describe: (args) => describeCommand(args, { tilesDir: defaultTilesDir(), log }),
};

export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = name === undefined ? undefined : COMMANDS[name];
  try {
    if (!command) throw new CliError('usage', name ? `unknown command "${name}"\n${USAGE}` : USAGE);
    await command(rest);
    return 0;
  } catch (error) {
    if (error instanceof CliError) {
      process.stderr.write(`tile-accelerator: ${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv.slice(2));

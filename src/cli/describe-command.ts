/**
 * `tile-accelerator describe <dataset> [--from DIR | --bucket] [--layout zxy|xyz] [--force]`:
 * flags in, runDescribe (tiles folder) or runDescribeBucket (the bucket, with the upload's variables) out.
 */
import { parseArgs } from 'node:util';
import { defaultTilesDir, log } from './args.ts';
import { isValidDatasetPath } from '../shared/dataset-path.ts';
import { CliError } from './cli-error.ts';
import { S3Objects } from '../shared/s3-objects.ts';
import { runDescribe, runDescribeBucket } from './describe.ts';
import { readUploadEnv } from './upload-env.ts';

const USAGE = 'usage: tile-accelerator describe <dataset> [--from DIR | --bucket] [--layout zxy|xyz] [--force]';

/** The command table's entry point. */
export function run(args: string[]): Promise<void> {
  return describeCommand(args, { tilesDir: defaultTilesDir(), log });
}

export async function describeCommand(args: string[], context: { tilesDir: string; log: (line: string) => void }): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: { from: { type: 'string' }, bucket: { type: 'boolean', default: false }, layout: { type: 'string', default: 'zxy' }, force: { type: 'boolean', default: false } },
    });
  } catch (error) {
    throw new CliError('usage', `${(error as Error).message}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  const dataset = positionals[0];
  if (positionals.length !== 1 || !dataset) throw new CliError('usage', `expected exactly one dataset name\n${USAGE}`);
  if (!isValidDatasetPath(dataset)) throw new CliError('bad-dataset-name', `dataset name "${dataset}" is invalid: use folders of 1-128 of A-Z a-z 0-9 . _ - separated by "/", and no "..".`);
  const layout = values.layout;
  if (layout !== 'zxy' && layout !== 'xyz') throw new CliError('usage', `--layout must be zxy ({z}/{x}/{y}) or xyz ({z}/{y}/{x}), got "${layout}".`);
  const force = values.force ?? false;
  if (values.bucket) {
    if (values.from) throw new CliError('usage', `--from and --bucket exclude each other\n${USAGE}`);
    const env = readUploadEnv(process.env);
    const objects = new S3Objects({ ...env, region: 'auto' });
    await runDescribeBucket({ objects, bucket: env.bucket, dataset, layout, force, log: context.log });
    return;
  }
  await runDescribe({ root: values.from ?? context.tilesDir, dataset, layout, force, log: context.log });
}

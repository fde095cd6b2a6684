/** `tile-accelerator describe <dataset> [--from DIR] [--layout zxy|xyz] [--force]`: flags in, runDescribe out. */
import { parseArgs } from 'node:util';
import { isValidDatasetPath } from '../shared/dataset-path.ts';
import { CliError } from './cli-error.ts';
import { runDescribe } from './describe.ts';

const USAGE = 'usage: tile-accelerator describe <dataset> [--from DIR] [--layout zxy|xyz] [--force]';

export async function describeCommand(args: string[], context: { tilesDir: string; log: (line: string) => void }): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: { from: { type: 'string' }, layout: { type: 'string', default: 'zxy' }, force: { type: 'boolean', default: false } },
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
  await runDescribe({ root: values.from ?? context.tilesDir, dataset, layout, force: values.force ?? false, log: context.log });
}

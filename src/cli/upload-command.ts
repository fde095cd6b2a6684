/** `tile-accelerator upload <dataset>`: a dataset folder to an R2 bucket (see uploader.ts). */
import { join } from 'node:path';
import { S3Objects } from '../shared/s3-objects.ts';
import { isValidDatasetPath } from '../shared/dataset-path.ts';
import { defaultTilesDir, log, onePositional, parse } from './args.ts';
import { CliError } from './cli-error.ts';
import { createProgress, formatBytes } from './progress.ts';
import { readUploadEnv } from './upload-env.ts';
import { uploadDataset } from './uploader.ts';

export async function run(args: string[]): Promise<void> {
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

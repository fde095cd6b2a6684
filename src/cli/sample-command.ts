/** `tile-accelerator sample`: the demo's `sample` and `mixed` datasets (see sample.ts). */
import { defaultTilesDir, log, parse } from './args.ts';
import { runSample } from './sample.ts';

export async function run(args: string[]): Promise<void> {
  const { values } = parse({
    args,
    options: { out: { type: 'string' }, 'if-missing': { type: 'boolean', default: false } },
    strict: true,
  });
  await runSample({ outRoot: values.out ?? defaultTilesDir(), ifMissing: values['if-missing'] ?? false, log });
}

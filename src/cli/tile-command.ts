/** `tile-accelerator tile <image> --dataset NAME`: one image to a dataset folder (see tiler.ts). */
import { defaultTilesDir, log, onePositional, parse, wholeNumber } from './args.ts';
import { CliError } from './cli-error.ts';
import { isTilerFormat } from './pyramid.ts';
import { layoutDefaults, parseTileLayout, runTile } from './tiler.ts';

export async function run(args: string[]): Promise<void> {
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
  if (!values.dataset) throw new CliError('usage', '--dataset NAME is required.');
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

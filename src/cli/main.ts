/**
 * CLI entry: `tile-accelerator <sample|tile|upload> ...`. Each subcommand
 * parses its own flags; a CliError becomes one line on stderr and an exit
 * code, anything else is a bug and keeps its stack.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError } from './cli-error.ts';
import { runSample } from './sample.ts';

const USAGE = `usage:
  tile-accelerator sample [--out DIR] [--if-missing]
  tile-accelerator tile <image> --dataset NAME [--out DIR] [--format jpg|png|webp] [--quality N] [--tile-size 256] [--overlap 0] [--force]
  tile-accelerator upload <dataset> [--from DIR]
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

const COMMANDS: Record<string, (args: string[]) => Promise<void>> = {
  sample: sampleCommand,
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

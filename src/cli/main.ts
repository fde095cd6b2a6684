/**
 * CLI entry: `tile-accelerator <command> ...` over the table in commands.ts,
 * plus `--help` (also per command) and `--version`, both exiting 0. A
 * CliError becomes one line on stderr and its exit code (2 for usage, with
 * the synopsis); anything else is a bug and keeps its stack.
 */
import { CliError } from './cli-error.ts';
import { COMMANDS, type Command } from './commands.ts';
import { PACKAGE_VERSION } from './package-info.ts';

const HELP_FLAGS = new Set(['--help', '-h']);

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'usage: tile-accelerator <command> [options]',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'tile-accelerator <command> --help   flags of one command',
    'tile-accelerator --version          the installed version',
  ].join('\n');
}

function commandHelp(command: Command): string {
  return `usage: tile-accelerator ${command.usage}\n\n${command.details}`;
}

export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  const out = (text: string) => process.stdout.write(`${text}\n`);
  if (name === undefined) {
    process.stderr.write(`${usage()}\n`);
    return 2;
  }
  if (HELP_FLAGS.has(name) || name === 'help') {
    out(usage());
    return 0;
  }
  if (name === '--version' || name === '-v') {
    out(PACKAGE_VERSION);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  try {
    if (!command) throw new CliError('usage', `unknown command "${name}"\n${usage()}`);
    if (rest.some((arg) => HELP_FLAGS.has(arg))) {
      out(commandHelp(command));
      return 0;
    }
    try {
      await command.run(rest);
    } catch (error) {
      if (error instanceof CliError && error.code === 'usage') throw new CliError('usage', `${error.message}\nusage: tile-accelerator ${command.usage}`, { cause: error });
      throw error;
    }
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

/**
 * Flag parsing shared by the commands: node:util parseArgs, with its errors
 * and ours as CliError('usage') naming the flag, so main.ts prints one line
 * and exits 2.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError } from './cli-error.ts';

export function parse<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    throw new CliError('usage', (error as Error).message);
  }
}

export function wholeNumber(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value)) throw new CliError('usage', `--${flag} must be a whole number, got "${text}".`);
  return value;
}

export function onePositional(positionals: string[], what: string): string {
  if (positionals.length !== 1 || !positionals[0]) throw new CliError('usage', `expected exactly one ${what}, got ${positionals.length}.`);
  return positionals[0];
}

/** Where datasets live unless --out/--from/--tiles-dir say otherwise. */
export function defaultTilesDir(): string {
  return process.env['TILES_DIR'] || 'data/tiles';
}

export function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

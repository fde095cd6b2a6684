/**
 * sharp, loaded when a command first needs it (`tile`, `sample`). It is an
 * optional peer dependency: `serve`, `upload` and the library never load it,
 * so an installed package works without its native binaries. Missing or
 * unloadable, it becomes a CliError that says how to install it.
 */
import type SharpModule from 'sharp';
import { CliError } from './cli-error.ts';

export type Sharp = typeof SharpModule;

let loading: Promise<Sharp> | undefined;

export function loadSharp(): Promise<Sharp> {
  loading ??= import('sharp').then(
    (module) => module.default,
    (error: unknown) => {
      loading = undefined;
      const reason = (error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' ? 'it is not installed' : `it did not load (${firstLine(error)})`;
      throw new CliError('missing-dependency', `this command needs the image library sharp, but ${reason}: run \`npm install sharp\` in the project that has tile-accelerator installed.`, { cause: error });
    },
  );
  return loading;
}

function firstLine(error: unknown): string {
  return String((error as Error).message ?? error).split('\n')[0] ?? '';
}

/**
 * The one error type the CLI throws on purpose. `main.ts` prints its message as
 * a single line and exits with its exit code; anything else is a bug and gets
 * a stack trace. Messages say what to fix, not just what went wrong.
 */

export type CliErrorCode =
  | 'usage'
  | 'input-unreadable'
  | 'input-unsupported'
  | 'bad-dataset-name'
  | 'output-conflict'
  | 'not-a-dataset'
  | 'unrecognised-tiles'
  | 'cannot-describe'
  | 'env-missing'
  | 'env-malformed'
  | 'tiling-failed'
  | 'upload-failed'
  | 'missing-dependency'
  | 'bad-config'
  | 'start-failed';

const EXIT_CODES: Record<CliErrorCode, number> = {
  usage: 2,
  'input-unreadable': 1,
  'input-unsupported': 1,
  'bad-dataset-name': 2,
  'output-conflict': 1,
  'not-a-dataset': 1,
  'unrecognised-tiles': 1,
  'cannot-describe': 1,
  'env-missing': 2,
  'env-malformed': 2,
  'tiling-failed': 1,
  'upload-failed': 1,
  'missing-dependency': 1,
  'bad-config': 2,
  'start-failed': 1,
};

export class CliError extends Error {
  override readonly name = 'CliError';
  readonly code: CliErrorCode;

  constructor(code: CliErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  get exitCode(): number {
    return EXIT_CODES[this.code];
  }
}

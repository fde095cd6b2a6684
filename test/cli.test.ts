/**
 * The CLI as a process, from source (`node --import tsx src/cli/main.ts`):
 * it must map failures to one line and an exit code, and print the upload
 * summary. The compiled CLI of the installed package is tested by
 * e2e/package.spec.ts.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, makeTestImage } from './support/fixtures.ts';
import { startS3rver, type S3rverHandle } from './support/s3rver.ts';

const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    // A clean environment (PATH only), so no AWS_* from the developer's shell leaks in.
    execFile(process.execPath, ['--import', 'tsx', MAIN, ...args], { env: { PATH: process.env['PATH'] ?? '', ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

let s3: S3rverHandle;
let temp: { path: string; remove(): Promise<void> };
let tiles: string;
let s3env: Record<string, string>;

beforeAll(async () => {
  s3 = await startS3rver({ buckets: ['cli-tiles'] });
  temp = await makeTempDir('cli-test-');
  tiles = join(temp.path, 'tiles');
  await makeTestImage(join(temp.path, 'in.jpg'));
  s3env = {
    AWS_ACCESS_KEY_ID: s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
    AWS_BUCKET_NAME: 'cli-tiles',
    S3_ENDPOINT_URL: s3.endpoint,
    R2_UPLOAD_MAX_WORKERS: '4',
  };
});
afterAll(async () => {
  await s3.close();
  await temp.remove();
});

describe('tile-accelerator CLI', () => {
  it('tiles, uploads, and on a rerun skips everything', async () => {
    const tiled = await run(['tile', join(temp.path, 'in.jpg'), '--dataset', 'cli', '--out', tiles], {});
    expect(tiled).toMatchObject({ code: 0, stderr: '' });
    expect(tiled.stdout).toMatch(/17 tiles/);

    const first = await run(['upload', 'cli', '--from', tiles], s3env);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/uploaded 18, skipped 0, failed 0, .*Class A ops \(PUT\) 18, Class B ops \(HEAD\) 18/);
    // Not a terminal: plain progress lines, no bar escape codes.
    expect(first.stderr).toMatch(/^progress: 18 objects/m);
    expect(first.stderr).not.toContain('\u001b[');

    const second = await run(['upload', 'cli', '--from', tiles], s3env);
    expect(second.stdout).toMatch(/uploaded 0, skipped 18, failed 0, .*Class A ops \(PUT\) 0/);
  });

  it('stops with one line naming a missing variable', async () => {
    const { AWS_SECRET_ACCESS_KEY: _dropped, ...partial } = s3env;
    const result = await run(['upload', 'cli', '--from', tiles], partial);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^tile-accelerator: AWS_SECRET_ACCESS_KEY is not set: set it to .*\n$/);
  });

  it('stops with one line naming a malformed variable', async () => {
    const result = await run(['upload', 'cli', '--from', tiles], { ...s3env, R2_UPLOAD_MAX_WORKERS: 'lots' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^tile-accelerator: R2_UPLOAD_MAX_WORKERS "lots" must be a whole number.*\n$/);
  });

  it('refuses to upload a folder that is not a dataset', async () => {
    const result = await run(['upload', 'nothing-here', '--from', tiles], s3env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/has no info\.json/);
  });

  it('explains usage errors', async () => {
    expect((await run(['tile', join(temp.path, 'in.jpg')], {})).stderr).toMatch(/--dataset NAME is required/);
    expect((await run(['tile', join(temp.path, 'in.jpg'), '--dataset', 'x', '--format', 'gif'], {})).stderr).toMatch(/--format must be/);
    expect((await run(['frobnicate'], {})).code).toBe(2);
  });

  it('answers --help and --version with exit code 0', async () => {
    const version = await run(['--version'], {});
    expect(version).toMatchObject({ code: 0, stderr: '' });
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+/);
    const help = await run(['--help'], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^ {2}serve /m);
    for (const command of ['serve', 'tile', 'upload', 'sample']) {
      const usage = await run([command, '--help'], {});
      expect(usage.code).toBe(0);
      expect(usage.stdout).toContain(`usage: tile-accelerator ${command}`);
    }
  });

  it('stops serve with one line naming a bad variable or flag', async () => {
    const token = await run(['serve', '--port', '0'], { AUTH_TOKEN: 'short' });
    expect(token.code).toBe(2);
    expect(token.stderr).toBe('tile-accelerator: AUTH_TOKEN is too weak: use at least 16 characters without spaces.\n');
    const port = await run(['serve', '--port', 'abc'], {});
    expect(port.stderr).toMatch(/^tile-accelerator: --port "abc" is invalid: .*\n$/);
  });
});

import { describe, expect, it } from 'vitest';
import { CliError } from './cli-error.ts';
import { readUploadEnv } from './upload-env.ts';

const good = {
  AWS_ACCESS_KEY_ID: 'key',
  AWS_SECRET_ACCESS_KEY: 'secret',
  AWS_BUCKET_NAME: 'my-tiles',
  S3_ENDPOINT_URL: 'https://account.r2.cloudflarestorage.com/',
};

function errorOf(env: NodeJS.ProcessEnv): CliError {
  try {
    readUploadEnv(env);
  } catch (error) {
    if (error instanceof CliError) return error;
    throw error;
  }
  throw new Error('expected readUploadEnv to throw');
}

describe('readUploadEnv', () => {
  it('reads a complete environment, defaulting to 20 workers', () => {
    expect(readUploadEnv(good)).toEqual({
      accessKeyId: 'key',
      secretAccessKey: 'secret',
      bucket: 'my-tiles',
      endpoint: 'https://account.r2.cloudflarestorage.com',
      maxWorkers: 20,
    });
    expect(readUploadEnv({ ...good, R2_UPLOAD_MAX_WORKERS: '4' }).maxWorkers).toBe(4);
  });

  it.each(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_BUCKET_NAME', 'S3_ENDPOINT_URL'])(
    'names %s when it is missing or blank',
    (name) => {
      for (const value of [undefined, '  ']) {
        const error = errorOf({ ...good, [name]: value });
        expect(error.code).toBe('env-missing');
        expect(error.message.startsWith(name)).toBe(true);
        expect(error.message).not.toContain('\n');
      }
    },
  );

  it('names malformed values and what they should be', () => {
    expect(errorOf({ ...good, S3_ENDPOINT_URL: 'not a url' })).toMatchObject({ code: 'env-malformed', message: expect.stringMatching(/^S3_ENDPOINT_URL .*expected/) });
    expect(errorOf({ ...good, S3_ENDPOINT_URL: 'ftp://x' }).message).toMatch(/^S3_ENDPOINT_URL .*http/);
    expect(errorOf({ ...good, AWS_BUCKET_NAME: 'Upper_Case' }).message).toMatch(/^AWS_BUCKET_NAME/);
    for (const workers of ['0', '-3', '2.5', 'many', '1000']) {
      expect(errorOf({ ...good, R2_UPLOAD_MAX_WORKERS: workers })).toMatchObject({ code: 'env-malformed', message: expect.stringMatching(/^R2_UPLOAD_MAX_WORKERS/) });
    }
  });
});

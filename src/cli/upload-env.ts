/**
 * The uploader's settings from the environment. Each problem is reported as
 * one line naming the variable and what it expects, before any work starts.
 */
import { CliError } from './cli-error.ts';

export interface UploadEnv {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly bucket: string;
  readonly endpoint: string;
  readonly maxWorkers: number;
}

export const DEFAULT_MAX_WORKERS = 20;
const MAX_WORKERS_LIMIT = 256;
// S3 bucket naming: 3-63 lowercase letters, digits, dots and hyphens.
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

function required(env: NodeJS.ProcessEnv, name: string, expects: string): string {
  const value = env[name]?.trim();
  if (!value) throw new CliError('env-missing', `${name} is not set: set it to ${expects}.`);
  return value;
}

export function readUploadEnv(env: NodeJS.ProcessEnv): UploadEnv {
  const accessKeyId = required(env, 'AWS_ACCESS_KEY_ID', 'the access key id of an R2 API token with write access');
  const secretAccessKey = required(env, 'AWS_SECRET_ACCESS_KEY', 'the secret of that R2 API token');
  const bucket = required(env, 'AWS_BUCKET_NAME', 'the name of the bucket to upload into');
  if (!BUCKET_NAME.test(bucket)) {
    throw new CliError('env-malformed', `AWS_BUCKET_NAME "${bucket}" is not a bucket name: expected 3-63 of a-z 0-9 . -`);
  }
  const endpoint = required(env, 'S3_ENDPOINT_URL', 'the S3 API URL, e.g. https://ACCOUNT_ID.r2.cloudflarestorage.com');
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new CliError('env-malformed', `S3_ENDPOINT_URL "${endpoint}" is not a URL: expected e.g. https://ACCOUNT_ID.r2.cloudflarestorage.com`);
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.search || url.hash) {
    throw new CliError('env-malformed', `S3_ENDPOINT_URL "${endpoint}" must be an http(s) URL without query or fragment.`);
  }
  const workersText = env['R2_UPLOAD_MAX_WORKERS']?.trim();
  const maxWorkers = workersText ? Number(workersText) : DEFAULT_MAX_WORKERS;
  if (!Number.isInteger(maxWorkers) || maxWorkers < 1 || maxWorkers > MAX_WORKERS_LIMIT) {
    throw new CliError('env-malformed', `R2_UPLOAD_MAX_WORKERS "${workersText}" must be a whole number from 1 to ${MAX_WORKERS_LIMIT} (default ${DEFAULT_MAX_WORKERS}).`);
  }
  return { accessKeyId, secretAccessKey, bucket, endpoint: url.href.replace(/\/+$/, ''), maxWorkers };
}

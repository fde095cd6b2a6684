import { describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, loadConfig } from './config.ts';
import { DEFAULTS } from './defaults.ts';

const s3 = {
  USE_S3: 'true',
  S3_ENDPOINT_URL: 'https://acct.r2.cloudflarestorage.com/',
  AWS_BUCKET_NAME: 'tiles',
  AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'secret-value',
};

describe('loadConfig', () => {
  it('defaults to the local folder with the named defaults', () => {
    const config = loadConfig({});
    expect(config.source).toEqual({ kind: 'local-folder', tilesDir: 'data/tiles' });
    expect(config).toMatchObject({
      port: DEFAULTS.port,
      tileCacheMaxBytes: 256 * 1024 * 1024,
      upstreamConnections: 100,
      authToken: undefined,
      corsOrigins: [],
    });
  });

  it('reads the S3 source, the public URL (which wins), numbers, tokens and origins', () => {
    expect(loadConfig(s3).source).toEqual({
      kind: 'r2-s3',
      endpoint: 'https://acct.r2.cloudflarestorage.com',
      bucket: 'tiles',
      accessKeyId: 'AKIAEXAMPLE',
      secretAccessKey: 'secret-value',
    });
    const config = loadConfig({
      ...s3,
      R2_PUBLIC_URL: 'https://pub-1.r2.dev',
      PORT: '9000',
      TILE_CACHE_MAX_BYTES: '1048576',
      UPSTREAM_CONNECTIONS: '12',
      UPSTREAM_TIMEOUT_MS: '2500',
      AUTH_TOKEN: 'a'.repeat(20),
      CORS_ORIGINS: 'https://a.example, http://127.0.0.1:5173',
    });
    expect(config).toMatchObject({
      source: { kind: 'r2-public-url', publicUrl: 'https://pub-1.r2.dev' },
      port: 9000,
      tileCacheMaxBytes: 1_048_576,
      upstreamConnections: 12,
      upstreamTimeoutMs: 2500,
      corsOrigins: ['https://a.example', 'http://127.0.0.1:5173'],
    });
    expect(JSON.stringify(describeConfig(loadConfig({ ...s3, AUTH_TOKEN: 'b'.repeat(20) })))).not.toMatch(/secret-value|bbbb/);
  });

  it.each([
    [{ USE_S3: 'true' }, /^S3_ENDPOINT_URL is missing/],
    [{ ...s3, AWS_BUCKET_NAME: '' }, /^AWS_BUCKET_NAME is missing/],
    [{ ...s3, AWS_SECRET_ACCESS_KEY: undefined }, /^AWS_SECRET_ACCESS_KEY is missing/],
    [{ ...s3, S3_ENDPOINT_URL: 'acct.r2' }, /^S3_ENDPOINT_URL="acct.r2" is not a URL/],
    [{ USE_S3: 'yes' }, /^USE_S3="yes" is invalid: expected true or false/],
    [{ R2_PUBLIC_URL: 'ftp://x' }, /^R2_PUBLIC_URL="ftp:\/\/x" must start with https/],
    [{ PORT: '80a' }, /^PORT="80a" is invalid/],
    [{ TILE_CACHE_MAX_BYTES: '-5' }, /^TILE_CACHE_MAX_BYTES="-5" is invalid/],
    [{ UPSTREAM_CONNECTIONS: '0' }, /^UPSTREAM_CONNECTIONS="0" is invalid/],
    [{ UPSTREAM_TIMEOUT_MS: '1e4' }, /^UPSTREAM_TIMEOUT_MS="1e4" is invalid/],
    [{ AUTH_TOKEN: 'short' }, /^AUTH_TOKEN is too weak/],
    [{ ADMIN_TOKEN: 'has a space in it, long' }, /^ADMIN_TOKEN is too weak/],
    [{ CORS_ORIGINS: 'https://a.example/' }, /^CORS_ORIGINS has "https:\/\/a.example\/"/],
  ])('refuses %j with one line naming the variable', (env, message) => {
    let caught: unknown;
    try {
      loadConfig(env);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as Error).message).toMatch(message);
    expect((caught as Error).message).not.toContain('\n');
  });
});

describe('DATASET_LAYOUTS', () => {
  it('maps names (folders included) to the descriptor probed', () => {
    const config = loadConfig({ DATASET_LAYOUTS: 'scan:dzi, collections/case-1:iiif,tiles:google' });
    expect(Object.fromEntries(config.datasetLayouts)).toEqual({ scan: 'dzi', 'collections/case-1': 'iiif', tiles: 'vips-google' });
  });

  it('names the bad pair', () => {
    expect(() => loadConfig({ DATASET_LAYOUTS: 'scan:dzi,../x:iiif' })).toThrow(/DATASET_LAYOUTS has "..\/x:iiif"/);
    expect(() => loadConfig({ DATASET_LAYOUTS: 'scan:tiff' })).toThrow(/layout one of dzi, iiif, zoomify, google, own/);
  });
});

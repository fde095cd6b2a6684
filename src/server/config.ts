/**
 * The companion's configuration from environment variables. Pure: it takes a
 * record of strings and returns options, or throws a ConfigError whose
 * message is one line naming the variable and what it expects. Defaults come
 * from defaults.ts.
 */
import { isValidDatasetPath } from '../shared/dataset-path.ts';
import type { DescriptorKind } from '../shared/layouts/index.ts';
import { DEFAULTS } from './defaults.ts';

export type SourceConfig =
  | { kind: 'local-folder'; tilesDir: string }
  | { kind: 'r2-s3'; endpoint: string; bucket: string; accessKeyId: string; secretAccessKey: string }
  | { kind: 'r2-public-url'; publicUrl: string };

export interface CompanionConfig {
  port: number;
  host: string;
  source: SourceConfig;
  tileCacheMaxBytes: number;
  upstreamConnections: number;
  upstreamTimeoutMs: number;
  authToken: string | undefined;
  adminToken: string | undefined;
  corsOrigins: string[];
  /** DATASET_LAYOUTS: the descriptor kind per dataset name, so only that descriptor is probed. */
  datasetLayouts: Map<string, DescriptorKind>;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

function value(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw ? raw : undefined;
}

function required(env: Env, name: string, why: string): string {
  const v = value(env, name);
  if (v === undefined) throw new ConfigError(`${name} is missing: ${why}.`);
  return v;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const v = value(env, name);
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new ConfigError(`${name}="${v}" is invalid: expected a whole number from ${min} to ${max}.`);
  }
  return Number(v);
}

function httpUrl(env: Env, name: string, example: string): string {
  const v = required(env, name, `expected a URL such as ${example}`);
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw new ConfigError(`${name}="${v}" is not a URL: expected something like ${example}.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`${name}="${v}" must start with https:// (or http:// for a local server).`);
  if (url.search || url.hash) throw new ConfigError(`${name}="${v}" must not have a query or fragment.`);
  return v.replace(/\/+$/, '');
}

function token(env: Env, name: string): string | undefined {
  const v = value(env, name);
  if (v !== undefined && (v.length < 16 || /\s/.test(v))) throw new ConfigError(`${name} is too weak: use at least 16 characters without spaces.`);
  return v;
}

function boolean(env: Env, name: string): boolean {
  const v = value(env, name)?.toLowerCase();
  if (v === undefined || v === 'false' || v === '0') return false;
  if (v === 'true' || v === '1') return true;
  throw new ConfigError(`${name}="${env[name]}" is invalid: expected true or false.`);
}

function source(env: Env): SourceConfig {
  // R2_PUBLIC_URL wins: reading through it needs no credentials at all.
  if (value(env, 'R2_PUBLIC_URL') !== undefined) {
    return { kind: 'r2-public-url', publicUrl: httpUrl(env, 'R2_PUBLIC_URL', 'https://pub-<hash>.r2.dev') };
  }
  if (boolean(env, 'USE_S3')) {
    const needed = 'USE_S3=true reads R2 through its S3 API';
    return {
      kind: 'r2-s3',
      endpoint: httpUrl(env, 'S3_ENDPOINT_URL', 'https://<account>.r2.cloudflarestorage.com'),
      bucket: required(env, 'AWS_BUCKET_NAME', `${needed}: name the bucket`),
      accessKeyId: required(env, 'AWS_ACCESS_KEY_ID', `${needed}: give an R2 API token's access key id`),
      secretAccessKey: required(env, 'AWS_SECRET_ACCESS_KEY', `${needed}: give an R2 API token's secret`),
    };
  }
  return { kind: 'local-folder', tilesDir: value(env, 'TILES_DIR') ?? DEFAULTS.tilesDir };
}

function origins(env: Env): string[] {
  const v = value(env, 'CORS_ORIGINS');
  if (v === undefined) return [];
  return v.split(',').map((part) => {
    const origin = part.trim();
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (!parsed || parsed.origin !== origin) {
      throw new ConfigError(`CORS_ORIGINS has "${origin}": expected comma-separated origins like https://viewer.example.com (no path or trailing slash).`);
    }
    return origin;
  });
}

const LAYOUT_WORDS: Record<string, DescriptorKind> = { dzi: 'dzi', iiif: 'iiif', zoomify: 'zoomify', google: 'vips-google', own: 'own' };

/** `name:layout,...`, e.g. `scan:dzi,collections/case-1:iiif` (names may hold folders). */
function datasetLayouts(env: Env): Map<string, DescriptorKind> {
  const layouts = new Map<string, DescriptorKind>();
  const v = value(env, 'DATASET_LAYOUTS');
  if (v === undefined) return layouts;
  for (const part of v.split(',')) {
    const at = part.lastIndexOf(':');
    const name = part.slice(0, at).trim();
    const kind = LAYOUT_WORDS[part.slice(at + 1).trim()];
    if (at < 0 || !isValidDatasetPath(name) || !kind) {
      throw new ConfigError(
        `DATASET_LAYOUTS has "${part.trim()}": expected comma-separated name:layout pairs, layout one of ${Object.keys(LAYOUT_WORDS).join(', ')} (e.g. scan:dzi,collections/case-1:iiif).`,
      );
    }
    layouts.set(name, kind);
  }
  return layouts;
}

export function loadConfig(env: Env): CompanionConfig {
  return {
    port: integer(env, 'PORT', DEFAULTS.port, 0, 65_535),
    host: value(env, 'HOST') ?? DEFAULTS.host,
    source: source(env),
    tileCacheMaxBytes: integer(env, 'TILE_CACHE_MAX_BYTES', DEFAULTS.tileCacheMaxBytes, 1024, 64 * 1024 ** 3),
    upstreamConnections: integer(env, 'UPSTREAM_CONNECTIONS', DEFAULTS.upstreamConnections, 1, 1024),
    upstreamTimeoutMs: integer(env, 'UPSTREAM_TIMEOUT_MS', DEFAULTS.upstreamTimeoutMs, 100, 120_000),
    authToken: token(env, 'AUTH_TOKEN'),
    adminToken: token(env, 'ADMIN_TOKEN'),
    corsOrigins: origins(env),
    datasetLayouts: datasetLayouts(env),
  };
}

/** The configuration as main.ts prints it: secrets replaced by whether they are set. */
export function describeConfig(config: CompanionConfig): Record<string, unknown> {
  const source =
    config.source.kind === 'r2-s3'
      ? { kind: config.source.kind, endpoint: config.source.endpoint, bucket: config.source.bucket, accessKeyId: `${config.source.accessKeyId.slice(0, 4)}…` }
      : config.source;
  return {
    ...config,
    source,
    authToken: config.authToken ? 'set' : 'not set',
    adminToken: config.adminToken ? 'set' : 'not set',
    datasetLayouts: Object.fromEntries(config.datasetLayouts),
  };
}

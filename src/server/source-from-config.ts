/**
 * Builds the configured object source. The R2 sources get an HttpUpstream over
 * the injected fetch (main.ts passes the undici pool fetch; tests may pass
 * the global one), with retry and hedge numbers from defaults.ts.
 */
import type { SourceConfig } from './config.ts';
import { DEFAULTS } from './defaults.ts';
import { LocalFolderSource } from './sources/local-folder.ts';
import { R2PublicUrlSource } from './sources/r2-public-url.ts';
import { R2S3Source } from './sources/r2-s3.ts';
import type { ObjectSource } from './object-source.ts';
import { HttpUpstream, type HttpUpstreamOptions, type UpstreamFetch } from './upstream/http-upstream.ts';

export type UpstreamSettings = Omit<HttpUpstreamOptions, 'fetch'>;

export function upstreamSettings(timeoutMs: number = DEFAULTS.upstreamTimeoutMs): UpstreamSettings {
  return {
    timeoutMs,
    retry: {
      retries: DEFAULTS.upstreamRetries,
      baseDelayMs: DEFAULTS.retryBaseDelayMs,
      maxDelayMs: DEFAULTS.retryMaxDelayMs,
      maxRetryAfterMs: DEFAULTS.maxRetryAfterMs,
    },
    retryBudget: { capacity: DEFAULTS.retryBudgetCapacity, refillPerSecond: DEFAULTS.retryBudgetRefillPerSecond },
    breaker: { failureThreshold: DEFAULTS.breakerFailureThreshold, cooldownMs: DEFAULTS.breakerCooldownMs },
    maxHedgesInFlight: DEFAULTS.maxHedgesInFlight,
    hedgeMinSamples: DEFAULTS.hedgeMinSamples,
    hedgeMinDelayMs: DEFAULTS.hedgeMinDelayMs,
    maxObjectBytes: DEFAULTS.maxTileBytes,
  };
}

export function sourceFromConfig(config: SourceConfig, fetch: UpstreamFetch, settings: UpstreamSettings = upstreamSettings()): ObjectSource {
  switch (config.kind) {
    case 'local-folder':
      return new LocalFolderSource(config.tilesDir);
    case 'r2-public-url':
      return new R2PublicUrlSource(config.publicUrl, new HttpUpstream({ ...settings, fetch }));
    case 'r2-s3':
      return new R2S3Source(config, new HttpUpstream({ ...settings, fetch }));
  }
}

/**
 * The messages by which a page registers its viewers' tile sources with the
 * worker. Versioned like view-protocol.ts: a page and a worker from
 * different builds are told to reload instead of misreading each other.
 *
 *   page -> worker  register-sources   specs (shared/tile-source-spec.ts), answered on the message's port
 *   worker -> page  sources-registered one result per spec: accepted, or the reason it was refused
 */
import { TileError } from './errors.ts';

export const SOURCE_PROTOCOL = 'tile-accelerator/sources';
export const SOURCE_PROTOCOL_VERSION = 1;

export interface RegisterSourcesMessage {
  protocol: typeof SOURCE_PROTOCOL;
  version: typeof SOURCE_PROTOCOL_VERSION;
  type: 'register-sources';
  /** Unchecked specs: the worker parses each with parseTileSourceSpec. */
  sources: unknown[];
}

export type SourceResult = { id: string; accepted: true } | { id: string; accepted: false; reason: string };

export interface SourcesRegisteredMessage {
  protocol: typeof SOURCE_PROTOCOL;
  version: typeof SOURCE_PROTOCOL_VERSION;
  type: 'sources-registered';
  results: SourceResult[];
}

export function registerSourcesMessage(sources: unknown[]): RegisterSourcesMessage {
  return { protocol: SOURCE_PROTOCOL, version: SOURCE_PROTOCOL_VERSION, type: 'register-sources', sources };
}

export function sourcesRegisteredMessage(results: SourceResult[]): SourcesRegisteredMessage {
  return { protocol: SOURCE_PROTOCOL, version: SOURCE_PROTOCOL_VERSION, type: 'sources-registered', results };
}

/** Our message, null for anybody else's; throws TileError on another version. */
function ours(data: unknown, type: string): Record<string, unknown> | null {
  if (typeof data !== 'object' || data === null) return null;
  const record = data as Record<string, unknown>;
  if (record.protocol !== SOURCE_PROTOCOL) return null;
  if (record.version !== SOURCE_PROTOCOL_VERSION) {
    throw new TileError('BAD_REQUEST', `Source message rejected: version ${String(record.version)} is not ${SOURCE_PROTOCOL_VERSION}: the page and the worker come from different builds; reload the page.`);
  }
  return record.type === type ? record : null;
}

export function parseRegisterSources(data: unknown): RegisterSourcesMessage | null {
  const record = ours(data, 'register-sources');
  if (!record) return null;
  if (!Array.isArray(record.sources) || record.sources.length > 256) throw new TileError('BAD_REQUEST', 'Source message rejected: "sources" must be an array of at most 256 specs.');
  return registerSourcesMessage(record.sources);
}

export function parseSourcesRegistered(data: unknown): SourcesRegisteredMessage | null {
  const record = ours(data, 'sources-registered');
  if (!record) return null;
  return sourcesRegisteredMessage(Array.isArray(record.results) ? (record.results as SourceResult[]) : []);
}

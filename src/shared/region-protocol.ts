/**
 * The messages between a page and the tile worker about offline regions.
 * Versioned like view-protocol.ts: a page and a worker from different builds
 * are told to reload instead of misreading each other.
 *
 *   page -> worker  region-request  { op, ... } on a MessageChannel; answered on its port
 *       estimate { area }           the plan's tile count and bytes, and whether it fits
 *       pin      { area, persisted } starts a region (refused up front when it cannot fit)
 *       pause | resume | cancel | delete | refresh { id }
 *       list                        every region, and storage used against quota
 *   worker -> page  region-reply     { ok: true, result } | { ok: false, error: { code, message, details? } }
 *   worker -> page  region-progress  { region } to every window, after each stored chunk and each state change
 */
import { TileError, type ErrorCode } from './errors.ts';
import type { RegionEstimate } from './region-plan.ts';
import type { ImageRect } from './tile-range.ts';

export const REGION_PROTOCOL = 'tile-accelerator/regions';
export const REGION_PROTOCOL_VERSION = 1;

interface Envelope {
  protocol: typeof REGION_PROTOCOL;
  version: typeof REGION_PROTOCOL_VERSION;
}

/** What a region covers: a source (registered id, or a dataset of the own tile API), a rectangle in image pixels (null: the whole image) and levels. */
export interface RegionRequestArea {
  source: string;
  rect: ImageRect | null;
  minLevel: number;
  maxLevel: number;
}

export type RegionStatus = 'downloading' | 'paused' | 'complete' | 'incomplete' | 'stale';

export interface RegionSummary extends RegionRequestArea {
  id: string;
  status: RegionStatus;
  /** Tiles the region holds when complete. */
  tiles: number;
  /** Tiles stored and pinned now (counted in IndexedDB). */
  stored: number;
  /** Bytes of the stored tiles. */
  bytes: number;
  /** Tiles that could not be fetched in the last run (404, network down). */
  failures: number;
  /** stored / tiles, 0..1. */
  completeness: number;
  /** The pyramid version the region was fetched for; `stale` when the source has moved on. */
  pyramidVersion: string;
  createdAt: number;
  /** Date.now() of the last view inside the region (or its creation). */
  lastUsed: number;
}

/** Storage as the worker sees it: `navigator.storage.estimate()` and the IndexedDB tier's budget. */
export interface StorageReport {
  quota: number | null;
  usage: number | null;
  idbBudget: number;
  idbBytes: number;
  pinnedBytes: number;
  /** The page's `navigator.storage.persist()` answer, once asked (null: never asked). */
  persisted: boolean | null;
}

export interface EstimateResult {
  estimate: RegionEstimate;
  /** False when the region cannot fit; `refusal` says by how much. */
  fits: boolean;
  refusal?: RefusalDetails;
}

export interface RefusalDetails {
  /** Bytes the region is estimated to need. */
  needed: number;
  /** Bytes it may use: the smaller of the IndexedDB budget left after other regions and the origin's free quota. */
  available: number;
  idbBudget: number;
  pinnedBytes: number;
  quota: number | null;
  usage: number | null;
}

export type RegionOp =
  | { op: 'estimate'; area: RegionRequestArea }
  | { op: 'pin'; area: RegionRequestArea; persisted: boolean | null }
  | { op: 'pause' | 'resume' | 'cancel' | 'delete' | 'refresh'; id: string }
  | { op: 'list' };

export type RegionRequest = Envelope & { type: 'region-request' } & RegionOp;
export type RegionReply = Envelope & { type: 'region-reply' } & ({ ok: true; result: unknown } | { ok: false; error: { code: ErrorCode; message: string; details?: RefusalDetails } });
export type RegionProgress = Envelope & { type: 'region-progress'; region: RegionSummary; removed?: boolean };

const envelope: Envelope = { protocol: REGION_PROTOCOL, version: REGION_PROTOCOL_VERSION };

export function regionRequest(op: RegionOp): RegionRequest {
  return { ...envelope, type: 'region-request', ...op };
}

export function regionReply(result: unknown): RegionReply {
  return { ...envelope, type: 'region-reply', ok: true, result };
}

export function regionErrorReply(error: unknown): RegionReply {
  const tileError = error instanceof TileError ? error : new TileError('INTERNAL', error instanceof Error ? error.message : String(error));
  const details = error instanceof RegionRefusedError ? error.details : undefined;
  return { ...envelope, type: 'region-reply', ok: false, error: { code: tileError.code, message: tileError.message, ...(details ? { details } : {}) } };
}

export function regionProgress(region: RegionSummary, removed = false): RegionProgress {
  return { ...envelope, type: 'region-progress', region, ...(removed ? { removed } : {}) };
}

/** A region that cannot fit in storage, refused before any tile is fetched; `details` holds the numbers. */
export class RegionRefusedError extends TileError {
  constructor(readonly details: RefusalDetails) {
    super(
      'INSUFFICIENT_STORAGE',
      `The region needs about ${mib(details.needed)} but only ${mib(details.available)} is available ` +
        `(IndexedDB budget ${mib(details.idbBudget)}, ${mib(details.pinnedBytes)} already pinned by other regions` +
        `${details.quota !== null ? `, origin quota ${mib(details.quota)} with ${mib(details.usage ?? 0)} used` : ''}): pick fewer levels or a smaller rectangle, or delete a region.`,
    );
  }
}

function mib(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}

/** Our envelope, or null for anybody else's message; throws TileError on another version. */
function ours(data: unknown, type: string): Record<string, unknown> | null {
  if (typeof data !== 'object' || data === null) return null;
  const record = data as Record<string, unknown>;
  if (record.protocol !== REGION_PROTOCOL) return null;
  if (record.version !== REGION_PROTOCOL_VERSION) {
    throw new TileError('BAD_REQUEST', `Region message rejected: version ${String(record.version)} is not ${REGION_PROTOCOL_VERSION}: the page and the worker come from different builds; reload the page.`);
  }
  return record.type === type ? record : null;
}

/** A page's request, checked; null when the message is not one. Throws TileError BAD_REQUEST saying what is wrong. */
export function parseRegionRequest(data: unknown): RegionRequest | null {
  const r = ours(data, 'region-request');
  if (!r) return null;
  switch (r.op) {
    case 'estimate':
      return regionRequest({ op: 'estimate', area: parseArea(r.area) });
    case 'pin':
      return regionRequest({ op: 'pin', area: parseArea(r.area), persisted: typeof r.persisted === 'boolean' ? r.persisted : null });
    case 'pause':
    case 'resume':
    case 'cancel':
    case 'delete':
    case 'refresh':
      if (typeof r.id !== 'string' || r.id.length === 0 || r.id.length > 64) throw bad('"id" must be a region id');
      return regionRequest({ op: r.op, id: r.id });
    case 'list':
      return regionRequest({ op: 'list' });
    default:
      throw bad(`unknown op "${String(r.op)}"`);
  }
}

export function parseRegionReply(data: unknown): RegionReply | null {
  return ours(data, 'region-reply') as RegionReply | null;
}

export function parseRegionProgress(data: unknown): RegionProgress | null {
  return ours(data, 'region-progress') as RegionProgress | null;
}

function parseArea(value: unknown): RegionRequestArea {
  const a = value as Record<string, unknown> | null;
  if (typeof a !== 'object' || a === null) throw bad('"area" must be an object');
  if (typeof a.source !== 'string' || a.source.length === 0 || a.source.length > 2048) throw bad('"area.source" must be a source id');
  for (const field of ['minLevel', 'maxLevel'] as const) {
    if (typeof a[field] !== 'number' || !Number.isInteger(a[field])) throw bad(`"area.${field}" must be an integer`);
  }
  let rect: ImageRect | null = null;
  if (a.rect !== null && a.rect !== undefined) {
    const r = a.rect as Record<string, unknown>;
    const numbers = ['x', 'y', 'width', 'height'].map((k) => r[k]);
    if (!numbers.every((n) => typeof n === 'number' && Number.isFinite(n))) throw bad('"area.rect" needs finite x, y, width and height');
    const [x, y, width, height] = numbers as [number, number, number, number];
    rect = { x, y, width, height };
  }
  return { source: a.source, rect, minLevel: a.minLevel as number, maxLevel: a.maxLevel as number };
}

function bad(what: string): TileError {
  return new TileError('BAD_REQUEST', `Region message rejected: ${what}.`);
}

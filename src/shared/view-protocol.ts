/**
 * The messages between a page and the tile worker about what the viewer
 * shows. Versioned, so a page and a worker from different deploys notice they
 * disagree instead of misreading each other: a message of another version is
 * rejected with a message that says to reload. Messages of other protocols
 * (the worker's stats, the app's own) are not ours and parse to null.
 *
 *   page -> worker  view            a viewer's visible rectangle and drawn level
 *   page -> worker  viewer-closed   forget a viewer (its tiles may be dropped)
 *   worker -> page  dropped         queued tile URLs given up because they left the view
 */
import { parseDatasetInfo, type DatasetInfo } from './dataset-info.ts';
import { TileError } from './errors.ts';
import type { ImageRect } from './tile-range.ts';

export const VIEW_PROTOCOL = 'tile-accelerator/view';
export const VIEW_PROTOCOL_VERSION = 1;

interface Envelope {
  protocol: typeof VIEW_PROTOCOL;
  version: typeof VIEW_PROTOCOL_VERSION;
}

export interface ViewState {
  /** Unique per viewer on the page (a page may show several). */
  viewerId: string;
  /** The tile source: a dataset of the own tile API, or a registered source's id (shared/tile-source-spec.ts). */
  dataset: string;
  /** The source's tile root (own API: `/api/tiles/{dataset}/`); informative, the worker builds tile URLs itself. */
  tileUrlPrefix: string;
  info: DatasetInfo;
  /** The visible rectangle in full-resolution image pixels. */
  rect: ImageRect;
  /** The level OpenSeadragon draws at. */
  level: number;
  /** True once the view stopped moving; the worker prefetches only then. */
  settled: boolean;
  /** False when this viewer asked for no prefetch. */
  prefetch: boolean;
}

export type PageMessage = Envelope & ({ type: 'view'; view: ViewState } | { type: 'viewer-closed'; viewerId: string });
export type WorkerMessage = Envelope & { type: 'dropped'; urls: string[] };

const envelope: Envelope = { protocol: VIEW_PROTOCOL, version: VIEW_PROTOCOL_VERSION };

export function viewMessage(view: ViewState): PageMessage {
  return { ...envelope, type: 'view', view };
}

export function viewerClosedMessage(viewerId: string): PageMessage {
  return { ...envelope, type: 'viewer-closed', viewerId };
}

export function droppedMessage(urls: string[]): WorkerMessage {
  return { ...envelope, type: 'dropped', urls };
}

/** Our envelope, or null for anybody else's message. Throws on a version this code does not speak. */
function ours(data: unknown): Record<string, unknown> | null {
  if (typeof data !== 'object' || data === null) return null;
  const record = data as Record<string, unknown>;
  if (record.protocol !== VIEW_PROTOCOL) return null;
  if (record.version !== VIEW_PROTOCOL_VERSION) {
    throw bad(`version ${String(record.version)} is not ${VIEW_PROTOCOL_VERSION}: the page and the worker come from different builds; reload the page`);
  }
  return record;
}

export function parsePageMessage(data: unknown): PageMessage | null {
  const record = ours(data);
  if (!record) return null;
  if (record.type === 'viewer-closed') return { ...envelope, type: 'viewer-closed', viewerId: text(record.viewerId, 'viewerId') };
  if (record.type !== 'view') throw bad(`unknown page message type "${String(record.type)}"`);
  const view = record.view as Record<string, unknown> | undefined;
  if (typeof view !== 'object' || view === null) throw bad('"view" must be an object');
  const dataset = text(view.dataset, 'view.dataset');
  const rect = view.rect as Record<string, unknown> | undefined;
  const numbers = ['x', 'y', 'width', 'height'].map((k) => rect?.[k]);
  if (!numbers.every((n) => typeof n === 'number' && Number.isFinite(n))) throw bad('"view.rect" needs finite x, y, width and height');
  const [x, y, width, height] = numbers as [number, number, number, number];
  const info = parseDatasetInfo(view.info, dataset);
  const level = view.level;
  if (typeof level !== 'number' || !Number.isInteger(level) || level < info.minLevel || level > info.maxLevel) {
    throw bad(`"view.level" must be an integer from ${info.minLevel} to ${info.maxLevel}`);
  }
  return viewMessage({
    viewerId: text(view.viewerId, 'view.viewerId'),
    dataset,
    tileUrlPrefix: text(view.tileUrlPrefix, 'view.tileUrlPrefix'),
    info,
    rect: { x, y, width, height },
    level,
    settled: view.settled === true,
    prefetch: view.prefetch !== false,
  });
}

export function parseWorkerMessage(data: unknown): WorkerMessage | null {
  const record = ours(data);
  if (!record) return null;
  if (record.type !== 'dropped') throw bad(`unknown worker message type "${String(record.type)}"`);
  const urls = record.urls;
  if (!Array.isArray(urls) || !urls.every((u) => typeof u === 'string')) throw bad('"urls" must be an array of strings');
  return droppedMessage(urls as string[]);
}

function text(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 512) throw bad(`"${field}" must be a non-empty string`);
  return value;
}

function bad(what: string): TileError {
  return new TileError('BAD_REQUEST', `View message rejected: ${what}.`);
}

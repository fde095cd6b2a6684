import { describe, expect, it } from 'vitest';
import { viewMessage } from './view-protocol.ts';
import {
  CONTROL_PROTOCOL_VERSION,
  TILE_TIERS,
  controlReply,
  controlRequest,
  parseControlReply,
  parseControlRequest,
  workerReport,
  type WorkerReportBody,
} from './worker-report.ts';

const perTier = <T>(value: T) => Object.fromEntries(TILE_TIERS.map((t) => [t, value])) as Record<(typeof TILE_TIERS)[number], T>;

const body: WorkerReportBody = {
  requests: 3,
  hits: perTier(1),
  bytes: perTier(10),
  latencyMs: perTier({ count: 1, p50: 1, p90: 1, p99: 1 }),
  hitRate: 0.5,
  bytesSaved: 20,
  batches: 1,
  batchTiles: 1,
  meanBatchSize: 1,
  batchFailures: 0,
  joined: 0,
  fallbacks: 0,
  errors: 0,
  passedThrough: 0,
  idbErrors: 0,
  idbEvictions: 0,
  memory: { bytes: 10, entries: 1, budget: 100 },
  idb: { available: true, bytes: 10, entries: 1, budget: 100 },
  queue: { pending: 0, inFlight: 0, batching: true },
  options: { maxConcurrentBatches: 4 },
};

describe('worker report and control protocol', () => {
  it('round-trips requests and replies through structured data', () => {
    for (const type of ['stats', 'clear'] as const) {
      expect(parseControlRequest(structuredClone(controlRequest(type)))).toEqual(controlRequest(type));
      const reply = controlReply(type, workerReport(body));
      expect(parseControlReply(structuredClone(reply))).toEqual(reply);
    }
    expect(workerReport(body).version).toBe(CONTROL_PROTOCOL_VERSION);
  });

  it('leaves messages of other protocols alone, including the unversioned { type: "stats" }', () => {
    expect(parseControlRequest({ type: 'stats' })).toBeNull();
    expect(parseControlRequest(viewMessage({ viewerId: 'v', dataset: 'd', tileUrlPrefix: '/', info: {} as never, rect: { x: 0, y: 0, width: 1, height: 1 }, level: 0, settled: true, prefetch: true }))).toBeNull();
    expect(parseControlReply('hello')).toBeNull();
    expect(parseControlReply(null)).toBeNull();
  });

  it('refuses another version, unknown types and a reply without a report, saying what to do', () => {
    expect(() => parseControlRequest({ ...controlRequest('stats'), version: 2 })).toThrow(/different builds; reload the page/);
    expect(() => parseControlRequest({ ...controlRequest('stats'), type: 'reset' })).toThrow(/use stats or clear/);
    const reply = controlReply('stats', workerReport(body));
    expect(() => parseControlReply({ ...reply, report: { ...reply.report, version: 0 } })).toThrow(/worker report of this version/);
    expect(() => parseControlReply({ ...reply, report: { protocol: reply.protocol, version: reply.version } })).toThrow(/lacks the stats counters/);
  });
});

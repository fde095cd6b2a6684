/**
 * What the HTTP upstream (R2) did, per dataset and overall: every GET sent
 * (each one is an R2 Class B operation, billed), by outcome, plus retries,
 * hedges and latency. Counts only; cache-stats turns them into a cost.
 */
import { LatencySample } from '../../shared/latency-sample.ts';

export interface LatencySummary {
  samples: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

/** R2 Class B (GetObject) price: USD 0.36 per million requests. */
export const CLASS_B_USD_PER_MILLION = 0.36;

/**
 * `throttled` is a 429; `notSent` is a GET that never left (it timed out or was
 * aborted while queued for a connection, or the connection could not be made):
 * it is counted by outcome but not as a request, since the store never saw it.
 */
export type UpstreamOutcome = 'ok' | 'notFound' | 'denied' | 'serverError' | 'throttled' | 'timeout' | 'networkError' | 'aborted' | 'notSent';

export interface UpstreamCounters {
  /** GETs the store received, including retries and hedges (= Class B operations); never `notSent` ones. */
  requests: number;
  outcomes: Record<UpstreamOutcome, number>;
  retries: number;
  hedges: number;
  hedgeWins: number;
}

export interface UpstreamReport extends UpstreamCounters {
  latencyMs: LatencySummary;
  classBOperations: number;
  estimatedCostUsd: number;
}

const zero = (): UpstreamCounters => ({
  requests: 0,
  outcomes: { ok: 0, notFound: 0, denied: 0, serverError: 0, throttled: 0, timeout: 0, networkError: 0, aborted: 0, notSent: 0 },
  retries: 0,
  hedges: 0,
  hedgeWins: 0,
});

/** Datasets tracked separately; beyond this, they share one "other" row (bounded memory). */
const MAX_DATASETS = 1000;
const OTHER = '(other datasets)';

export class UpstreamMetrics {
  /** Latency of successful GETs across all datasets: the hedge threshold comes from here. */
  readonly latency: LatencySample;
  readonly #byDataset = new Map<string, { counters: UpstreamCounters; latency: LatencySample }>();
  readonly #overall = zero();

  constructor(latencySamples = 1024) {
    this.latency = new LatencySample(latencySamples);
  }

  #row(dataset: string): { counters: UpstreamCounters; latency: LatencySample } {
    const key = this.#byDataset.has(dataset) || this.#byDataset.size < MAX_DATASETS ? dataset : OTHER;
    let row = this.#byDataset.get(key);
    if (!row) {
      row = { counters: zero(), latency: new LatencySample(256) };
      this.#byDataset.set(key, row);
    }
    return row;
  }

  request(dataset: string, outcome: UpstreamOutcome, ms: number): void {
    const row = this.#row(dataset);
    for (const counters of [row.counters, this.#overall]) {
      if (outcome !== 'notSent') counters.requests += 1;
      counters.outcomes[outcome] += 1;
    }
    if (outcome === 'ok' || outcome === 'notFound') {
      row.latency.add(ms);
      this.latency.add(ms);
    }
  }

  count(dataset: string, name: 'retries' | 'hedges' | 'hedgeWins'): void {
    this.#row(dataset).counters[name] += 1;
    this.#overall[name] += 1;
  }

  dataset(dataset: string): UpstreamReport {
    const row = this.#byDataset.get(dataset);
    return report(row?.counters ?? zero(), row?.latency ?? new LatencySample(1));
  }

  overall(): UpstreamReport {
    return report(this.#overall, this.latency);
  }
}

function report(counters: UpstreamCounters, latency: LatencySample): UpstreamReport {
  return {
    ...counters,
    outcomes: { ...counters.outcomes },
    latencyMs: summary(latency),
    classBOperations: counters.requests,
    estimatedCostUsd: (counters.requests * CLASS_B_USD_PER_MILLION) / 1_000_000,
  };
}

function summary(latency: LatencySample): LatencySummary {
  const at = (q: number) => {
    const ms = latency.percentile(q);
    return ms === null ? null : Math.round(ms * 10) / 10;
  };
  return { samples: latency.count, p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}

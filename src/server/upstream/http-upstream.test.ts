import { describe, expect, it } from 'vitest';
import { upstreamSettings } from '../source-from-config.ts';
import { HttpUpstream, type UpstreamFetch } from './http-upstream.ts';

/** A pool with no free connection: every GET waits until its signal aborts, then fails as never sent. */
const queuedForever: UpstreamFetch = (_url, init) =>
  new Promise((_resolve, reject) => {
    init.signal.addEventListener('abort', () => reject(Object.assign(new Error('aborted while queued'), { notSent: true })), { once: true });
  });

describe('HttpUpstream circuit breaker', () => {
  it('stays closed when callers give up on GETs still queued for a connection', async () => {
    const base = upstreamSettings(10_000);
    const http = new HttpUpstream({ ...base, breaker: { failureThreshold: 2, cooldownMs: 60_000 }, logFailure: () => {}, fetch: queuedForever });
    for (let i = 0; i < 5; i++) {
      const caller = new AbortController();
      const get = http.get(`http://127.0.0.1:1/sample/0/0/${i}.jpg`, {}, 'sample', caller.signal);
      caller.abort();
      await expect(get).rejects.toBeDefined();
    }
    expect(http.health().healthy).toBe(true);
    expect(http.metrics.overall().outcomes.notSent).toBe(5);
    expect(http.metrics.overall().requests).toBe(0);
  });

  it('opens when GETs time out waiting for a connection: the store is not keeping up', async () => {
    const base = upstreamSettings(20);
    const http = new HttpUpstream({ ...base, retry: { ...base.retry, retries: 0 }, breaker: { failureThreshold: 2, cooldownMs: 60_000 }, logFailure: () => {}, fetch: queuedForever });
    for (let i = 0; i < 2; i++) await expect(http.get(`http://127.0.0.1:1/sample/0/0/${i}.jpg`, {}, 'sample')).rejects.toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
    expect(http.health().healthy).toBe(false);
  });
});

/**
 * Wraps the real global fetch to count requests by method and, optionally,
 * to break the network from the Nth PUT on: the way an interrupted upload
 * looks from the uploader's side. Nothing of ours is faked.
 */
import type { FetchLike } from '../../src/shared/s3-objects.ts';

export interface CountingFetch {
  readonly fetch: FetchLike;
  readonly counts: Record<string, number>;
}

export function countingFetch(options: { failPutsAfter?: number; answer503ToFirstPuts?: number } = {}): CountingFetch {
  const counts: Record<string, number> = {};
  let puts = 0;
  const wrapped: FetchLike = async (request, init) => {
    const method = request.method;
    if (method === 'PUT') {
      puts++;
      if (options.failPutsAfter !== undefined && puts > options.failPutsAfter) {
        throw new TypeError('fetch failed: connection reset (simulated interruption)');
      }
      if (options.answer503ToFirstPuts !== undefined && puts <= options.answer503ToFirstPuts) {
        counts['PUT-503'] = (counts['PUT-503'] ?? 0) + 1;
        return new Response('<Error><Code>SlowDown</Code></Error>', { status: 503 });
      }
    }
    counts[method] = (counts[method] ?? 0) + 1;
    return globalThis.fetch(request, init);
  };
  return { fetch: wrapped, counts };
}

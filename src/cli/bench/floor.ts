/**
 * The physical floor (variant 5): the tiles a view needed, fetched from Node
 * straight from the slow upstream, all at once. Once over an unlimited
 * keep-alive pool (nothing but the upstream's latency in the way), once over
 * six connections (what HTTP/1.1 lets a browser open to one host). A tour is
 * the sum of its views, each fetched after the previous one, as a reader would.
 */
import { Pool } from 'undici';

export interface FloorResult {
  unlimitedMs: number;
  sixMs: number;
}

async function fetchAll(baseUrl: string, keys: readonly string[], connections: number | null): Promise<number> {
  const pool = new Pool(baseUrl, { connections, keepAliveTimeout: 60_000 });
  try {
    const started = performance.now();
    await Promise.all(
      keys.map(async (key) => {
        const response = await pool.request({ method: 'GET', path: `/${key}` });
        await response.body.arrayBuffer();
      }),
    );
    return performance.now() - started;
  } finally {
    await pool.close();
  }
}

/** Fetches each view's keys (one array per view) and returns the summed time. */
export async function measureFloor(baseUrl: string, views: readonly string[][], connections: number | null): Promise<number> {
  let total = 0;
  for (const keys of views) if (keys.length > 0) total += await fetchAll(baseUrl, [...new Set(keys)], connections);
  return total;
}

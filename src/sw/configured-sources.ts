/**
 * `registerTileAccelerator({ sources })`: tile sources from configuration,
 * for pages you do not control (they never call `enableTileAccelerator`).
 * Each is a descriptor URL (a DZI `.dzi`; IIIF `info.json` and Zoomify
 * `ImageProperties.xml` once shared/layouts/descriptor.ts lands), optionally
 * with the companion that serves it. The worker reads each descriptor and
 * registers the pyramid it describes; a source it cannot read is said out
 * loud (console.warn and the `unaccelerated` list), never skipped silently.
 */
import type { CompanionTarget, TileSourceSpec } from '../shared/tile-source-spec.ts';
import { parseDescriptor } from '../shared/layouts/descriptor.ts';
import { tileRootOf } from '../shared/layouts/tile-root.ts';
import type { SourceRegistry } from './source-registry.ts';

export interface ConfiguredSource {
  /** Absolute URL of the descriptor (`https://images.example.com/scan.dzi`). */
  descriptorUrl: string;
  companion?: CompanionTarget;
  /** Credentials for the worker's own requests to this source (default 'same-origin'). */
  credentials?: RequestCredentials;
}

export interface Unaccelerated {
  source: string;
  reason: string;
}

export async function registerConfiguredSources(
  registry: SourceRegistry,
  sources: ReadonlyArray<string | ConfiguredSource>,
  fetchEdge: (request: Request) => Promise<Response>,
): Promise<Unaccelerated[]> {
  const unaccelerated: Unaccelerated[] = [];
  await Promise.all(
    sources.map(async (entry) => {
      const config = typeof entry === 'string' ? { descriptorUrl: entry } : entry;
      try {
        const credentials = config.credentials ?? 'same-origin';
        const response = await fetchEdge(new Request(config.descriptorUrl, { mode: 'cors', credentials, cache: 'no-cache' }));
        if (!response.ok) throw new Error(`the descriptor answered HTTP ${response.status}`);
        const url = config.descriptorUrl.replace(/[?#].*$/, '');
        const { pyramid, iiifId } = parseDescriptor(url, await response.text());
        // IIIF viewers ask for tiles below the image's id; every other layout's tiles sit beside the descriptor.
        const tileRoot = iiifId ? `${iiifId.replace(/\/+$/, '')}/` : tileRootOf(url);
        const spec: Omit<TileSourceSpec, 'id'> = { pyramid, paths: { layout: pyramid.layout }, tileRoot, query: '', descriptorUrl: config.descriptorUrl, credentials, ...(config.companion ? { companion: config.companion } : {}) };
        await registry.register(spec);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        unaccelerated.push({ source: config.descriptorUrl, reason });
        console.warn(`tile-accelerator: source ${config.descriptorUrl} is not accelerated: ${reason}`);
      }
    }),
  );
  return unaccelerated;
}

/** An OpenSeadragon tile source for a dataset of the tile API, built from its info.json. */
import type { DatasetInfo } from '../shared/dataset-info.ts';
import { parseDatasetInfo } from '../shared/dataset-info.ts';

export interface TileApiSource {
  width: number;
  height: number;
  tileSize: number;
  tileOverlap: number;
  minLevel: number;
  maxLevel: number;
  getTileUrl(level: number, x: number, y: number): string;
}

export async function fetchDatasetInfo(dataset: string, apiBase = '/api/tiles'): Promise<DatasetInfo> {
  const response = await fetch(`${apiBase}/${encodeURIComponent(dataset)}/info`);
  if (!response.ok) throw new Error(`Dataset "${dataset}" could not be opened (HTTP ${response.status}).`);
  return parseDatasetInfo(await response.json(), dataset);
}

export function tileApiSource(dataset: string, info: DatasetInfo, apiBase = '/api/tiles'): TileApiSource {
  const base = `${apiBase}/${encodeURIComponent(dataset)}`;
  return {
    width: info.width,
    height: info.height,
    tileSize: info.tileSize,
    tileOverlap: info.overlap,
    minLevel: info.minLevel,
    maxLevel: info.maxLevel,
    getTileUrl: (level, x, y) => `${base}/${level}/${x}/${y}.${info.format}`,
  };
}

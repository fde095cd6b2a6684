/** An OpenSeadragon tile source for a dataset of the tile API, built from its info.json. */
import type { DatasetInfo } from '../shared/dataset-info.ts';
export interface TileApiSource {
    width: number;
    height: number;
    tileSize: number;
    tileOverlap: number;
    minLevel: number;
    maxLevel: number;
    getTileUrl(level: number, x: number, y: number): string;
}
export declare function fetchDatasetInfo(dataset: string, apiBase?: string): Promise<DatasetInfo>;
export declare function tileApiSource(dataset: string, info: DatasetInfo, apiBase?: string): TileApiSource;

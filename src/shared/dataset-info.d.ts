import { type TileExtension } from './tile-key.ts';
export interface DatasetInfo {
    width: number;
    height: number;
    tileSize: number;
    overlap: number;
    minLevel: number;
    maxLevel: number;
    format: TileExtension;
    /** Changes whenever the tiles change; caches key their entries with it. */
    version: string;
}
export declare function parseDatasetInfo(value: unknown, dataset: string): DatasetInfo;
/** Tiles across and down at level `z` (level maxLevel is full resolution). */
export declare function levelTiles(info: DatasetInfo, z: number): {
    columns: number;
    rows: number;
};
export declare function isTileInBounds(info: DatasetInfo, tile: {
    z: number;
    x: number;
    y: number;
}): boolean;

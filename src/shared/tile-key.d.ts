export declare const TILE_EXTENSIONS: readonly ["jpg", "jpeg", "png", "webp"];
export type TileExtension = (typeof TILE_EXTENSIONS)[number];
/** Formats tried, in order, when the requested one is missing upstream. */
export declare const FALLBACK_ORDER: readonly TileExtension[];
/** A tile inside a dataset: `{z}/{x}/{y}.{ext}`. */
export interface TileCoord {
    z: number;
    x: number;
    y: number;
    ext: TileExtension;
}
export interface TileKey extends TileCoord {
    dataset: string;
}
export declare function isValidDatasetName(name: string): boolean;
export declare function assertDatasetName(name: string): string;
export declare function isTileExtension(ext: string): ext is TileExtension;
export declare function contentTypeFor(ext: TileExtension): string;
/** Parses the part of a path that names a tile: `z/x/y.ext`. */
export declare function parseTileCoord(path: string): TileCoord;
export declare function parseExtension(ext: string): TileExtension;
export declare function parseTileKey(dataset: string, coord: string): TileKey;
/** `z/x/y.ext`: the name of a tile inside its dataset (and in batch requests). */
export declare function formatTileCoord(tile: TileCoord): string;
/** `dataset/z/x/y.ext`: the object key in the bucket or tiles folder. */
export declare function objectKey(tile: TileKey): string;
/** The key of a tile's bytes in a cache: versioned, format-free (fallback may serve another format). */
export declare function cacheKey(dataset: string, version: string, tile: Omit<TileCoord, 'ext'>): string;
/** Matches the tile URL path `/api/tiles/{dataset}/{z}/{x}/{y}.{ext}`, or null. */
export declare function matchTilePath(pathname: string, prefix?: string): TileKey | null;

/**
 * OpenSeadragon marks a tile whose load failed as missing for good
 * (`tile.exists = false`) and never asks for it again. When the worker drops
 * a queued tile because it left the view, that failure is ours, not the
 * dataset's: this makes such tiles loadable again, so panning back loads them.
 * The worker's "dropped" message and OSD's failure event may arrive in either
 * order; both sides are remembered briefly (bounded) and matched.
 */
import type OpenSeadragon from 'openseadragon';
export declare class DroppedTileRecovery {
    #private;
    constructor(viewer: OpenSeadragon.Viewer);
    /** Tiles made loadable again so far. */
    get recovered(): number;
    dispose(): void;
}

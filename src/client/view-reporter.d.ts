/**
 * Tells the tile worker what an OpenSeadragon viewer shows: its visible
 * rectangle (image pixels) and drawn level, while it moves (so the worker can
 * drop queued tiles that left the view) and once it settles (so the worker can
 * prefetch). Reads the dataset from the tile URLs, so it works on any viewer
 * whose tiles come from the tile API, not only ours.
 */
import OpenSeadragon from 'openseadragon';
import { type PageMessage, type ViewState } from '../shared/view-protocol.ts';
export interface ViewReporterOptions {
    /** Path prefix of the tile API (default `/api/tiles/`). */
    apiPrefix?: string;
    /** Quiet time after the last move before the view counts as settled (default 200 ms). */
    settleMs?: number;
    /** Fewest milliseconds between two reports while the view moves (default 100 ms). */
    moveIntervalMs?: number;
    /** False: the worker is told not to prefetch for this viewer. */
    prefetch?: boolean;
    /** Where messages go (default: the controlling service worker). */
    post?: (message: PageMessage) => void;
}
export declare class ViewReporter {
    #private;
    readonly viewerId: string;
    /** Settled views reported so far (tests wait for the worker to have handled them all). */
    settledReports: number;
    constructor(viewer: OpenSeadragon.Viewer, options?: ViewReporterOptions);
    /** The last view reported, for tests and the stats overlay. */
    get lastView(): ViewState | null;
    /** The view now, or null while the viewer has no image of the tile API. */
    currentView(settled: boolean): ViewState | null;
    dispose(): void;
}

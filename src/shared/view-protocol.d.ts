/**
 * The messages between a page and the tile worker about what the viewer
 * shows. Versioned, so a page and a worker from different deploys notice they
 * disagree instead of misreading each other: a message of another version is
 * rejected with a message that says to reload. Messages of other protocols
 * (the worker's stats, the app's own) are not ours and parse to null.
 *
 *   page -> worker  view            a viewer's visible rectangle and drawn level
 *   page -> worker  viewer-closed   forget a viewer (its tiles may be dropped)
 *   worker -> page  dropped         queued tile URLs given up because they left the view
 */
import { type DatasetInfo } from './dataset-info.ts';
import type { ImageRect } from './tile-range.ts';
export declare const VIEW_PROTOCOL = "tile-accelerator/view";
export declare const VIEW_PROTOCOL_VERSION = 1;
interface Envelope {
    protocol: typeof VIEW_PROTOCOL;
    version: typeof VIEW_PROTOCOL_VERSION;
}
export interface ViewState {
    /** Unique per viewer on the page (a page may show several). */
    viewerId: string;
    dataset: string;
    /** Tile URLs are `${tileUrlPrefix}${z}/${x}/${y}.${info.format}`, same origin as the worker. */
    tileUrlPrefix: string;
    info: DatasetInfo;
    /** The visible rectangle in full-resolution image pixels. */
    rect: ImageRect;
    /** The level OpenSeadragon draws at. */
    level: number;
    /** True once the view stopped moving; the worker prefetches only then. */
    settled: boolean;
    /** False when this viewer asked for no prefetch. */
    prefetch: boolean;
}
export type PageMessage = Envelope & ({
    type: 'view';
    view: ViewState;
} | {
    type: 'viewer-closed';
    viewerId: string;
});
export type WorkerMessage = Envelope & {
    type: 'dropped';
    urls: string[];
};
export declare function viewMessage(view: ViewState): PageMessage;
export declare function viewerClosedMessage(viewerId: string): PageMessage;
export declare function droppedMessage(urls: string[]): WorkerMessage;
export declare function parsePageMessage(data: unknown): PageMessage | null;
export declare function parseWorkerMessage(data: unknown): WorkerMessage | null;
export {};

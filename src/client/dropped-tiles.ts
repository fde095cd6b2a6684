/**
 * OpenSeadragon marks a tile whose load failed as missing for good
 * (`tile.exists = false`) and never asks for it again. When the worker drops
 * a queued tile because it left the view, that failure is ours, not the
 * dataset's: this makes such tiles loadable again, so panning back loads them.
 * The worker's "dropped" message and OSD's failure event may arrive in either
 * order; both sides are remembered briefly (bounded) and matched.
 */
import type OpenSeadragon from 'openseadragon';
import { parseWorkerMessage } from '../shared/view-protocol.ts';

/** URLs and failed tiles remembered while waiting for their match. */
const MEMORY = 512;

export class DroppedTileRecovery {
  readonly #viewer: OpenSeadragon.Viewer;
  readonly #droppedUrls = new Set<string>();
  readonly #failed = new Map<string, OpenSeadragon.Tile>();
  #recovered = 0;

  readonly #onFailed = (event: OpenSeadragon.TileLoadFailedEvent) => {
    const url = absolute(event.tile.getUrl());
    if (this.#droppedUrls.delete(url)) this.#revive(event.tile);
    else remember(this.#failed, url, event.tile);
  };

  readonly #onMessage = (event: MessageEvent) => {
    let message;
    try {
      message = parseWorkerMessage(event.data);
    } catch (error) {
      console.warn('tile-accelerator:', error);
      return;
    }
    if (message?.type !== 'dropped') return;
    for (const raw of message.urls) {
      const url = absolute(raw);
      const tile = this.#failed.get(url);
      if (tile) {
        this.#failed.delete(url);
        this.#revive(tile);
      } else {
        remember(this.#droppedUrls, url);
      }
    }
  };

  constructor(viewer: OpenSeadragon.Viewer) {
    this.#viewer = viewer;
    viewer.addHandler('tile-load-failed', this.#onFailed);
    navigator.serviceWorker?.addEventListener('message', this.#onMessage);
  }

  /** Tiles made loadable again so far. */
  get recovered(): number {
    return this.#recovered;
  }

  dispose(): void {
    this.#viewer.removeHandler('tile-load-failed', this.#onFailed);
    navigator.serviceWorker?.removeEventListener('message', this.#onMessage);
  }

  #revive(tile: OpenSeadragon.Tile): void {
    tile.exists = true;
    this.#recovered += 1;
    this.#viewer.forceRedraw();
  }
}

function absolute(url: string): string {
  return new URL(url, location.href).href;
}

function remember<K, V>(store: Set<K> | Map<K, V>, key: K, value?: V): void {
  if (store.size >= MEMORY) store.delete(store.keys().next().value as K);
  if (store instanceof Map) store.set(key, value as V);
  else store.add(key);
}

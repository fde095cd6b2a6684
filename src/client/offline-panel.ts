/**
 * The demo's offline panel: "save this view for offline (levels a-b)", the
 * estimate, a progress bar with pause and cancel, the saved regions with
 * their size and a delete button, and storage used against quota. Everything
 * goes through the public API (`accelerator.pinRegion`, `listRegions`,
 * `deleteRegion`, `refreshRegion`), as a page of yours would.
 */
import type { TileAccelerator } from './enable-accelerator.ts';
import type { RegionHandle } from './offline-regions.ts';
import type { RegionSummary, StorageReport } from '../shared/region-protocol.ts';

const MiB = 1024 * 1024;

export function mountOfflinePanel(parent: HTMLElement, accelerator: TileAccelerator, levels: { min: number; max: number; current: () => number }): HTMLElement {
  // A disclosure in the toolbar: closed, it covers none of the viewer.
  const panel = document.createElement('details');
  panel.className = 'offline-panel';
  panel.setAttribute('aria-label', 'Offline regions');
  panel.innerHTML = `
    <summary>Offline</summary>
    <div class="row">Save this view for offline, levels <select name="from"></select>–<select name="to"></select>
      <button name="estimate">Estimate</button></div>
    <div class="estimate" aria-live="polite"></div>
    <div class="row"><button name="save" disabled>Save</button></div>
    <div class="download" hidden><progress max="1" value="0"></progress> <span class="count"></span>
      <button name="pause">Pause</button> <button name="cancel">Cancel</button></div>
    <ul class="regions"></ul>
    <div class="storage"></div>`;
  panel.addEventListener('toggle', () => panel.open && void refresh().catch(fail));
  parent.append(panel);
  const $ = <T extends Element>(selector: string) => panel.querySelector<T>(selector)!;
  const from = $<HTMLSelectElement>('[name=from]');
  const to = $<HTMLSelectElement>('[name=to]');
  for (let level = levels.min; level <= levels.max; level += 1) {
    from.add(new Option(String(level), String(level)));
    to.add(new Option(String(level), String(level)));
  }
  const pickDefaults = () => {
    const current = levels.current();
    from.value = String(current);
    to.value = String(Math.min(levels.max, current + 2));
  };
  pickDefaults();
  const estimateLine = $<HTMLElement>('.estimate');
  const save = $<HTMLButtonElement>('[name=save]');
  const download = $<HTMLElement>('.download');
  const pause = $<HTMLButtonElement>('[name=pause]');
  let pending: Awaited<ReturnType<TileAccelerator['pinRegion']>> | null = null;
  let active: RegionHandle | null = null;

  const fail = (error: unknown) => (estimateLine.textContent = error instanceof Error ? error.message : String(error));
  const run = (work: () => Promise<unknown>) => () => void work().catch(fail);

  $<HTMLButtonElement>('[name=estimate]').addEventListener('click', run(async () => {
    pending = await accelerator.pinRegion({ rect: 'view', minLevel: Number(from.value), maxLevel: Number(to.value) });
    const { tiles, bytes, basis } = pending.estimate;
    estimateLine.textContent = `${tiles} tiles, about ${mib(bytes)} (${basis === 'measured' ? 'measured from tiles seen' : basis === 'nearest' ? 'partly from nearby levels' : 'assumed: no tile seen yet'})` +
      (pending.fits ? '' : ` — does not fit: ${mib(pending.refusal!.available)} available`);
    save.disabled = !pending.fits;
  }));
  save.addEventListener('click', run(async () => {
    if (!pending) return;
    save.disabled = true;
    active = await pending.start();
    pending = null;
    follow(active);
  }));
  pause.addEventListener('click', run(async () => {
    if (!active) return;
    const paused = active.progress.status === 'paused';
    await (paused ? active.resume() : active.pause());
    pause.textContent = paused ? 'Pause' : 'Resume';
  }));
  $<HTMLButtonElement>('[name=cancel]').addEventListener('click', run(async () => {
    await active?.cancel();
  }));

  const follow = (handle: RegionHandle) => {
    download.hidden = false;
    const draw = () => {
      const p = handle.progress;
      $<HTMLProgressElement>('progress').value = p.tiles ? p.stored / p.tiles : 0;
      $<HTMLElement>('.count').textContent = `${p.stored}/${p.tiles} tiles, ${mib(p.bytes)}${p.failures ? `, ${p.failures} failed` : ''} · ${p.status}`;
    };
    handle.addEventListener('progress', () => {
      draw();
      void refresh();
    });
    draw();
    handle.done.then(() => (pause.disabled = true), () => (download.hidden = true)).finally(() => void refresh()).catch(fail);
  };

  const refresh = async () => {
    const { regions, storage } = await accelerator.listRegions();
    $<HTMLUListElement>('.regions').replaceChildren(...regions.map(regionItem));
    $<HTMLElement>('.storage').textContent = storageLine(storage);
  };
  const regionItem = (r: RegionSummary) => {
    const item = document.createElement('li');
    item.textContent = `${r.source} levels ${r.minLevel}–${r.maxLevel} · ${r.stored}/${r.tiles} tiles · ${mib(r.bytes)} · ${Math.floor(r.completeness * 100)}% ${r.status} · used ${new Date(r.lastUsed).toLocaleTimeString()} `;
    const remove = document.createElement('button');
    remove.textContent = 'Delete';
    remove.addEventListener('click', run(async () => {
      await accelerator.deleteRegion(r.id);
      await refresh();
    }));
    item.append(remove);
    if (r.status === 'stale' || r.status === 'incomplete') {
      const again = document.createElement('button');
      again.textContent = 'Refresh';
      again.addEventListener('click', run(async () => follow(await accelerator.refreshRegion(r.id))));
      item.append(again);
    }
    return item;
  };
  void refresh().catch(fail);
  return panel;
}

function storageLine(s: StorageReport): string {
  const quota = s.quota !== null ? ` · origin ${mib(s.usage ?? 0)} of ${mib(s.quota)} quota` : '';
  const persisted = s.persisted === null ? '' : ` · persistent storage ${s.persisted ? 'granted' : 'not granted'}`;
  return `Stored ${mib(s.idbBytes)} of ${mib(s.idbBudget)} (pinned ${mib(s.pinnedBytes)})${quota}${persisted}`;
}

function mib(bytes: number): string {
  return bytes >= MiB ? `${(bytes / MiB).toFixed(1)} MiB` : `${Math.round(bytes / 1024)} KiB`;
}

/**
 * Makes docs/offline-panel.png: the demo with its offline panel after one
 * region was saved and a second estimated. Run after `vite build`:
 *   npx tsx scripts/screenshot-offline-panel.ts
 * (a companion on 127.0.0.1 serving dist/ and data/tiles, Debian's Chromium, canvas drawer).
 */
import { chromium } from '@playwright/test';
import { LocalFolderSource } from '../src/server/sources/local-folder.ts';
import { startCompanion } from '../src/server/node-server.ts';
import { CHROMIUM_ARGS } from '../playwright.config.ts';

const companion = await startCompanion({ source: new LocalFolderSource(process.env.TILES_DIR ?? 'data/tiles'), staticDir: 'dist' });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${companion.url}/?drawer=canvas&stats=off&prefetch=off`);
  await page.waitForFunction(() => window.demo?.fullyLoaded === true, null, { timeout: 30_000 });
  const panel = page.locator('.offline-panel');
  await panel.locator('summary').click();
  await panel.locator('[name=from]').selectOption('2');
  await panel.locator('[name=to]').selectOption('4');
  await panel.locator('[name=estimate]').click();
  await page.waitForFunction(() => !document.querySelector<HTMLButtonElement>('.offline-panel [name=save]')!.disabled, null, { timeout: 30_000 });
  await panel.locator('[name=save]').click();
  await page.waitForFunction(() => document.querySelector('.offline-panel .count')?.textContent?.includes('complete'), null, { timeout: 60_000 });
  // A second, deeper estimate, left unsaved so the estimate line shows.
  await page.evaluate(() => {
    window.demo.fullyLoaded = false;
    window.demo.viewer!.viewport.zoomBy(4, undefined, true);
  });
  await page.waitForFunction(() => window.demo.fullyLoaded === true, null, { timeout: 30_000 });
  await panel.locator('[name=estimate]').click();
  await page.waitForFunction(() => document.querySelector('.offline-panel .estimate')?.textContent?.includes('tiles'), null, { timeout: 30_000 });
  await page.waitForTimeout(500); // the region list's last refresh
  await page.screenshot({ path: 'docs/offline-panel.png' });
  console.log('wrote docs/offline-panel.png');
} finally {
  await browser.close();
  await companion.close();
}

import { expect, test, zoomBy } from './support/fixtures.ts';

// Needs the companion's format fallback (branch `companion`): the mixed dataset
// has some tiles only as .png or .webp while info.json says jpg.
test('the mixed dataset shows fully, png and webp tiles included, through batches', async ({ page, counters }) => {
  const types = new Map<string, number>();
  const failed: string[] = [];
  page.on('response', (response) => {
    const path = new URL(response.url()).pathname;
    if (!/^\/api\/tiles\/mixed\/\d+\/\d+\/\d+\.\w+$/.test(path)) return;
    if (response.status() !== 200) failed.push(`${response.status()} ${path}`);
    const type = response.headers()['content-type'] ?? '?';
    types.set(type, (types.get(type) ?? 0) + 1);
  });
  await page.goto('/?dataset=mixed&drawer=canvas&pagebatch=off&prefetch=off');
  await page.waitForFunction(() => window.demo?.fullyLoaded === true, null, { timeout: 30_000 });
  await zoomBy(page, 8);
  expect(failed).toEqual([]);
  expect(types.get('image/png') ?? 0).toBeGreaterThan(0);
  expect(types.get('image/webp') ?? 0).toBeGreaterThan(0);
  expect(counters('mixed').tileRequests).toBe(0);
});

/**
 * The package as a new user meets it: `npm pack` (which builds lib/), then
 * `npm install` of that tarball into a fresh project outside the repository
 * (the registry, or npm's cache, only for its dependencies), and nothing of
 * the checkout after that:
 *   - `npx tile-accelerator --version`; `tile` says how to install sharp,
 *     then, with sharp installed, tiles a generated image;
 *   - `serve` on a free port answers that dataset's info and tiles, and the demo;
 *   - a fresh Vite app whose page and worker import `tile-accelerator/client`
 *     and `tile-accelerator/sw` as docs/drop-in.md shows (plus reading the
 *     dataset's info and two hooks for the test), built and served by
 *     `serve --static-dir`, loads its tiles through the worker in batches.
 * Counted at the companion (its cache-stats), never timed.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import sharp from 'sharp';

import type OpenSeadragon from 'openseadragon';
import type { TileAccelerator } from '../src/client/enable-accelerator.ts';

declare global {
  interface Window {
    app: { viewer: OpenSeadragon.Viewer; accelerator?: TileAccelerator; fullyLoaded: boolean };
  }
}

const REPO = fileURLToPath(new URL('../', import.meta.url));
const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { name: string; version: string };
const SHARP_VERSION = (JSON.parse(readFileSync(join(REPO, 'node_modules/sharp/package.json'), 'utf8')) as { version: string }).version;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The environment without npm's lifecycle variables, so a nested npm behaves as in a user's shell. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name) && name !== 'INIT_CWD'));
}

function run(command: string, args: string[], cwd: string, timeoutMs = 120_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env: cleanEnv(), timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

async function ok(command: string, args: string[], cwd: string, timeoutMs?: number): Promise<Run> {
  const result = await run(command, args, cwd, timeoutMs);
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.code}:\n${result.stderr.slice(-2000)}`);
  return result;
}

interface Serving {
  url: string;
  stop(): Promise<void>;
}

/** `npx tile-accelerator serve ...` until it prints the URL to open (port 0: any free port). */
async function serve(cwd: string, args: string[]): Promise<Serving> {
  const child: ChildProcess = spawn('npx', ['--no', '--', 'tile-accelerator', 'serve', '--port', '0', '--quiet', ...args], {
    cwd,
    env: cleanEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: npx starts the server as a child, and stopping npx alone would leave it running.
    detached: true,
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no URL in 30 s:\n${output}`)), 30_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Open (http:\/\/127\.0\.0\.1:\d+)\//.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited ${code}:\n${output}`));
    });
  });
  return {
    url,
    stop: async () => {
      process.kill(-child.pid!, 'SIGTERM');
      await exited;
    },
  };
}

// The app, as docs/drop-in.md shows it: section 1 (the page) and section 2 (the worker).
const APP_FILES: Record<string, string> = {
  'index.html': `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>my viewer</title><style>html, body, #viewer { margin: 0; width: 100%; height: 100%; }</style></head>
  <body><div id="viewer"></div><script type="module" src="./main.ts"></script></body>
</html>
`,
  'main.ts': `import OpenSeadragon from 'openseadragon';
import { enableTileAccelerator } from 'tile-accelerator/client';

const info = await (await fetch('/api/tiles/tiny/info')).json();
const viewer = OpenSeadragon({
  element: document.getElementById('viewer')!,
  drawer: 'canvas',
  maxTilesPerFrame: 50, // let OSD ask for a view's tiles together, so the worker can batch them
  tileSources: {
    width: info.width, height: info.height, tileSize: info.tileSize, tileOverlap: info.overlap, minLevel: info.minLevel, maxLevel: info.maxLevel,
    getTileUrl: (z: number, x: number, y: number) => \`/api/tiles/tiny/\${z}/\${x}/\${y}.\${info.format}\`,
  } as unknown as OpenSeadragon.TileSourceOptions,
});
(window as any).app = { viewer, fullyLoaded: false };
viewer.world.addHandler('add-item', ({ item }) => {
  item.addHandler('fully-loaded-change', ({ fullyLoaded }) => ((window as any).app.fullyLoaded = fullyLoaded));
});
(window as any).app.accelerator = await enableTileAccelerator(viewer, { scriptUrl: '/sw.js' });
`,
  'sw.ts': `/// <reference lib="webworker" />
import { registerTileAccelerator } from 'tile-accelerator/sw';
declare const self: ServiceWorkerGlobalScope;

self.addEventListener('install', () => void self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

registerTileAccelerator({ prefetch: false }); // the test counts the batches of a zoom: nothing fetched ahead
`,
  // No import of 'vite' here: the app builds with the checkout's Vite binary (its own would be one more install).
  'vite.config.js': `export default {
  logLevel: 'warn',
  build: {
    target: 'es2022',
    rolldownOptions: {
      input: { main: 'index.html', sw: 'sw.ts' },
      output: { entryFileNames: (chunk) => (chunk.name === 'sw' ? 'sw.js' : 'assets/[name]-[hash].js') },
    },
  },
};
`,
};

let root: string;
let project: string;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(240_000);
  root = await mkdtemp(join(tmpdir(), 'tile-accelerator-package-'));
  await ok('npm', ['pack', '--pack-destination', root], REPO, 180_000);
  const tarball = (await readdir(root)).find((name) => name.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack left no tarball in ${root}`);
  project = join(root, 'project');
  await mkdir(project);
  await writeFile(join(project, 'package.json'), `${JSON.stringify({ name: 'my-viewer', private: true, type: 'module' }, null, 2)}\n`);
  await ok('npm', ['install', join(root, tarball), '--prefer-offline', '--no-audit', '--no-fund'], project, 180_000);
});

test.afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

test('the installed CLI: --version, tile (sharp on demand), serve with the demo', async () => {
  test.setTimeout(120_000);
  const modules = join(project, 'node_modules');
  // Runtime dependencies only: no TypeScript runner, bundler or image library came along.
  for (const buildOnly of ['tsx', 'vite', 'typescript', 'sharp', 'workbox-expiration']) expect(existsSync(join(modules, buildOnly)), buildOnly).toBe(false);

  const version = await ok('npx', ['--no', '--', 'tile-accelerator', '--version'], project);
  expect(version.stdout.trim()).toBe(manifest.version);

  await sharp({ create: { width: 4096, height: 3072, channels: 3, background: { r: 40, g: 90, b: 140 } } }).png().toFile(join(project, 'scan.png'));
  const withoutSharp = await run('npx', ['--no', '--', 'tile-accelerator', 'tile', 'scan.png', '--dataset', 'tiny', '--out', 'tiles'], project);
  expect(withoutSharp.code).toBe(1);
  expect(withoutSharp.stderr).toMatch(/^tile-accelerator: .*npm install sharp.*\n$/);

  await ok('npm', ['install', `sharp@${SHARP_VERSION}`, '--prefer-offline', '--no-audit', '--no-fund'], project);
  const tiled = await ok('npx', ['--no', '--', 'tile-accelerator', 'tile', 'scan.png', '--dataset', 'tiny', '--out', 'tiles'], project);
  expect(tiled.stderr).toBe('');
  const info = JSON.parse(readFileSync(join(project, 'tiles/tiny/info.json'), 'utf8')) as { width: number; maxLevel: number };
  expect(info).toMatchObject({ width: 4096, maxLevel: 4 });

  const companion = await serve(project, ['--tiles-dir', 'tiles']);
  try {
    const infoResponse = await fetch(`${companion.url}/api/tiles/tiny/info`);
    expect(await infoResponse.json()).toMatchObject({ width: 4096, height: 3072, format: 'jpg' });
    const tile = await fetch(`${companion.url}/api/tiles/tiny/3/7/5.jpg`);
    expect(tile.status).toBe(200);
    expect(tile.headers.get('content-type')).toBe('image/jpeg');
    expect((await tile.arrayBuffer()).byteLength).toBeGreaterThan(100);
    // The demo page and its worker come with the package.
    expect(await (await fetch(`${companion.url}/`)).text()).toContain('<title>tile-accelerator demo</title>');
    expect((await fetch(`${companion.url}/sw.js`)).status).toBe(200);
  } finally {
    await companion.stop();
  }
});

test('a fresh Vite app built against tile-accelerator/client and /sw is accelerated', async ({ page }) => {
  test.setTimeout(120_000);
  const app = join(project, 'app');
  await mkdir(app, { recursive: true });
  for (const [name, text] of Object.entries(APP_FILES)) await writeFile(join(app, name), text);
  await ok(join(REPO, 'node_modules/.bin/vite'), ['build'], app);

  const companion = await serve(project, ['--tiles-dir', 'tiles', '--static-dir', join(app, 'dist')]);
  try {
    const counters = async () => ((await (await fetch(`${companion.url}/api/tiles/tiny/cache-stats`)).json()) as { counters: { tileRequests: number; batchRequests: number } }).counters;
    await page.goto(`${companion.url}/`);
    await page.waitForFunction(() => window.app?.accelerator?.worker === 'controlled' && window.app.fullyLoaded, null, { timeout: 30_000 });

    // Page batching is the default: a view's tiles leave as one batch POST, which the worker answers.
    const fromWorker: boolean[] = [];
    page.on('response', (response) => {
      if (/\/api\/tiles\/tiny\/(\d+\/\d+\/\d+\.jpg|batch)$/.test(response.url())) fromWorker.push(response.fromServiceWorker());
    });
    const before = await counters();
    await page.evaluate(() => {
      window.app.fullyLoaded = false;
      window.app.viewer.viewport.zoomBy(2, undefined, true);
    });
    await page.waitForFunction(() => window.app.fullyLoaded, null, { timeout: 30_000 });
    const after = await counters();

    expect(fromWorker.length).toBeGreaterThan(0);
    expect(fromWorker.every(Boolean)).toBe(true);
    expect(after.batchRequests - before.batchRequests).toBeGreaterThan(0);
    expect(after.tileRequests - before.tileRequests).toBe(0);
  } finally {
    await companion.stop();
  }
});

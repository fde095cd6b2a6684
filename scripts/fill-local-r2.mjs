// Fills the local R2 bucket that `wrangler dev` reads (persisted under
// .wrangler/state/v3, the bucket named in wrangler.toml) from data/tiles, laid
// out as the real bucket: {dataset}/info.json, {dataset}/{z}/{x}/{y}.{ext}.
//
// Fast on purpose: a tiny Worker in workerd (through Miniflare, with the same
// persistence root wrangler dev uses) receives many objects per request and
// writes them with the binding's put(); a few such requests run at once. A
// dataset whose info.json version was already filled is skipped.
//
//   node scripts/fill-local-r2.mjs [dataset ...] [--force] [--tiles-dir data/tiles] [--persist-to .wrangler/state]
//
// Measured on the shared 2-core machine (load ~12): ~60 objects/s, whatever
// the batching (the local bucket's own writes are the bound), so the 5,462
// objects of `sample` take ~90 s once; later runs skip it.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { Miniflare } from 'miniflare';

const args = process.argv.slice(2);
const force = args.includes('--force');
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const tilesDir = option('--tiles-dir', 'data/tiles');
// wrangler dev keeps its local state in {--persist-to}/v3 (default .wrangler/state).
const PERSIST_ROOT = join(option('--persist-to', '.wrangler/state'), 'v3');
const named = args.filter((a, i) => !a.startsWith('--') && !['--tiles-dir', '--persist-to'].includes(args[i - 1]));

const MARKER = join(PERSIST_ROOT, 'tile-accelerator-filled.json');
/** Objects per request and requests at once: ~5 MB a request, 4 in flight. */
const PER_REQUEST = Number(process.env.FILL_PER_REQUEST ?? 100);
const IN_FLIGHT = Number(process.env.FILL_IN_FLIGHT ?? 2);

const toml = await readFile('wrangler.toml', 'utf8');
const bucketName = /bucket_name\s*=\s*"([^"]+)"/.exec(toml)?.[1];
if (!bucketName) throw new Error('wrangler.toml names no [[r2_buckets]] bucket_name.');

// Frames: keyLength u16, key (UTF-8), bodyLength u32, body; big-endian, as in the batch format.
const FILL_WORKER = `
export default {
  async fetch(request, env) {
    const data = new Uint8Array(await request.arrayBuffer());
    const view = new DataView(data.buffer);
    const decoder = new TextDecoder();
    const puts = [];
    for (let at = 0; at < data.length; ) {
      const keyLength = view.getUint16(at); at += 2;
      const key = decoder.decode(data.subarray(at, at + keyLength)); at += keyLength;
      const bodyLength = view.getUint32(at); at += 4;
      puts.push(env.TILES.put(key, data.slice(at, at + bodyLength))); at += bodyLength;
    }
    await Promise.all(puts);
    return new Response(String(puts.length));
  },
};`;

async function filesOf(dir) {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(join(entry.parentPath ?? entry.path, entry.name));
  }
  return out;
}

function frame(key, body) {
  const keyBytes = new TextEncoder().encode(key);
  const out = new Uint8Array(2 + keyBytes.length + 4 + body.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, keyBytes.length);
  out.set(keyBytes, 2);
  view.setUint32(2 + keyBytes.length, body.length);
  out.set(body, 6 + keyBytes.length);
  return out;
}

let filled = {};
try {
  filled = JSON.parse(await readFile(MARKER, 'utf8'));
} catch {
  filled = {};
}

// `sample` first: it is the demo's default dataset.
const datasets = named.length
  ? named
  : (await readdir(tilesDir, { withFileTypes: true }))
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort((a, b) => (a === 'sample' ? -1 : b === 'sample' ? 1 : a.localeCompare(b)));
const todo = [];
for (const dataset of datasets) {
  let info;
  try {
    info = JSON.parse(await readFile(join(tilesDir, dataset, 'info.json'), 'utf8'));
  } catch {
    console.log(`fill-local-r2: ${dataset} has no info.json in ${tilesDir}, skipped`);
    continue;
  }
  if (!force && filled[dataset] === info.version) {
    console.log(`fill-local-r2: ${dataset}@${info.version} already in the local bucket ${bucketName}`);
    continue;
  }
  todo.push({ dataset, version: info.version });
}

if (todo.length) {
  await mkdir(PERSIST_ROOT, { recursive: true });
  const mf = new Miniflare({
    modules: true,
    script: FILL_WORKER,
    compatibilityDate: '2026-04-26',
    defaultPersistRoot: PERSIST_ROOT,
    // The same binding shape wrangler dev builds from wrangler.toml, so the same storage.
    r2Buckets: { TILES: { id: bucketName } },
    host: '127.0.0.1',
    port: 0,
  });
  try {
    const url = await mf.ready;
    for (const { dataset, version } of todo) {
      const started = Date.now();
      const root = join(tilesDir, dataset);
      // info.json goes last, as the uploader does: a reader never sees a version without its tiles.
      const files = (await filesOf(root)).filter((f) => !f.endsWith('info.json'));
      const batches = [];
      for (let i = 0; i < files.length; i += PER_REQUEST) batches.push(files.slice(i, i + PER_REQUEST));
      let done = 0;
      const send = async (batch) => {
        const frames = await Promise.all(batch.map(async (file) => frame(`${dataset}/${relative(root, file)}`, await readFile(file))));
        const body = Buffer.concat(frames);
        // Bounded retries: a busy machine sometimes resets the local connection; puts are idempotent.
        for (let attempt = 1; ; attempt += 1) {
          try {
            const response = await fetch(url, { method: 'POST', body });
            if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
            break;
          } catch (error) {
            const why = `${error.message}${error.cause ? ` (${error.cause.message ?? error.cause})` : ''}`;
            if (attempt >= 3) throw new Error(`fill-local-r2: writing ${dataset} failed: ${why}`);
            console.log(`fill-local-r2: ${why}; retrying`);
            await new Promise((resolve) => setTimeout(resolve, 1000 * attempt));
          }
        }
        done += batch.length;
      };
      for (let i = 0; i < batches.length; i += IN_FLIGHT) await Promise.all(batches.slice(i, i + IN_FLIGHT).map(send));
      await send([join(root, 'info.json')]);
      filled[dataset] = version;
      await writeFile(MARKER, JSON.stringify(filled, null, 2));
      console.log(`fill-local-r2: ${dataset}@${version}: ${done + 1} objects into the local bucket ${bucketName} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
  } finally {
    await mf.dispose();
  }
}

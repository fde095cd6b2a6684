/**
 * The CLI on pyramids made by real `vips dzsave`: `describe` infers a bare
 * z/x/y folder's geometry from its files; `upload` sends any layout under the
 * keys the companion reads (descriptor last) and refuses a folder holding
 * image files that name no tile, naming them.
 */
import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliError } from '../src/cli/cli-error.ts';
import { runDescribe, runDescribeBucket } from '../src/cli/describe.ts';
import { uploadDataset } from '../src/cli/uploader.ts';
import { S3Objects } from '../src/shared/s3-objects.ts';
import { startS3rver, type S3rverHandle } from './support/s3rver.ts';
import { listFiles, makeVipsPyramids, type VipsPyramids } from './support/vips-pyramids.ts';

const FAST_RETRY = { attempts: 2, baseDelayMs: 5, maxDelayMs: 20 };
let pyramids: VipsPyramids;
let s3: S3rverHandle;
let objects: S3Objects;

beforeAll(async () => {
  pyramids = await makeVipsPyramids({ only: ['dzi-default', 'iiif2', 'google', 'zoomify', 'collections/case-1', 'bare'] });
  s3 = await startS3rver({ buckets: ['layouts'] });
  objects = new S3Objects({ ...s3, bucket: 'layouts', region: 'auto' });
});
afterAll(async () => {
  await s3?.close();
  await pyramids?.cleanup();
});

const upload = (dataset: string) =>
  uploadDataset({ datasetDir: join(pyramids.root, dataset), dataset, objects, maxWorkers: 4, retry: FAST_RETRY });

describe('describe', () => {
  it('infers a bare z/x/y pyramid from its files and writes the own info.json with its layout', async () => {
    await expect(upload('bare')).rejects.toThrow(/tile-accelerator describe bare/);
    const lines: string[] = [];
    const info = await runDescribe({ root: pyramids.root, dataset: 'bare', layout: 'zxy', force: false, log: (l) => lines.push(l) });
    // The same geometry vips wrote as DZI with 256-pixel tiles and no overlap: 1000x700, levels 0 (1 px) .. 10.
    expect(info).toMatchObject({ layout: 'zxy', width: 1000, height: 700, tileSize: 256, overlap: 0, minLevel: 0, maxLevel: 10, format: 'jpg' });
    expect(JSON.parse(await readFile(join(pyramids.root, 'bare', 'info.json'), 'utf8'))).toEqual(info);
    expect(lines.join('\n')).toMatch(/described .*bare: zxy 1000x700/);
    await expect(runDescribe({ root: pyramids.root, dataset: 'bare', layout: 'zxy', force: false, log: () => {} })).rejects.toThrow(/already described/);
  });

  it('describes a bare pyramid that is only in the bucket (--bucket): lists it, reads the edge tiles, PUTs info.json', async () => {
    const files = (await listFiles(join(pyramids.root, 'bare'))).filter((f) => f !== 'info.json');
    for (const file of files) {
      await objects.put(`only-in-bucket/${file}`, new Uint8Array(await readFile(join(pyramids.root, 'bare', file))), { contentType: 'image/jpeg', cacheControl: 'no-cache' });
    }
    const info = await runDescribeBucket({ objects, bucket: 'layouts', dataset: 'only-in-bucket', layout: 'zxy', force: false, log: () => {} });
    expect(info).toMatchObject({ layout: 'zxy', width: 1000, height: 700, tileSize: 256, minLevel: 0, maxLevel: 10, format: 'jpg' });
    const stored = await objects.get('only-in-bucket/info.json');
    expect(JSON.parse(new TextDecoder().decode(stored!.bytes))).toEqual(info);
  });

  it('says when tiles disagree with the geometry of the highest level', async () => {
    await expect(runDescribe({ root: pyramids.root, dataset: 'bare', layout: 'xyz', force: true, log: () => {} })).rejects.toThrow(
      /10\/3\/2\.jpg is 232x188, but a 768x1024 image .* check --layout/,
    );
  });
});

describe('upload of any layout', () => {
  it.each(['dzi-default', 'iiif2', 'google', 'zoomify', 'collections/case-1', 'bare'])('%s: every file under the keys the companion reads, descriptor last', async (dataset) => {
    const summary = await upload(dataset);
    expect(summary).toMatchObject({ failed: 0, infoPublished: true });
    const local = pyramids.files.length ? (await listFiles(pyramids.root)).filter((f) => f.startsWith(`${dataset}/`) || f.startsWith(`${dataset}_files/`) || f === `${dataset}.dzi`) : [];
    expect(summary.uploaded + summary.skipped).toBe(local.filter((f) => !f.endsWith('.source.json')).length);
    const descriptor = dataset.includes('dzi') || dataset.startsWith('collections') ? `${dataset}.dzi` : dataset === 'zoomify' ? `${dataset}/ImageProperties.xml` : dataset === 'google' ? `${dataset}/vips-properties.xml` : `${dataset}/info.json`;
    const stored = await objects.get(descriptor);
    expect(stored?.bytes).toEqual(new Uint8Array(await readFile(join(pyramids.root, descriptor))));
  });

  it('refuses a folder with image files that name no tile, naming them, before any PUT', async () => {
    await copyFile(join(pyramids.root, 'dzi-default_files/10/0_0.jpeg'), join(pyramids.root, 'dzi-default_files/10/0_0 copy.jpeg'));
    await copyFile(join(pyramids.root, 'dzi-default_files/10/0_0.jpeg'), join(pyramids.root, 'dzi-default_files/11_0_0.jpeg'));
    const before = await objects.head('dzi-default_files/10/0_0.jpeg');
    const error = await upload('dzi-default').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).code).toBe('unrecognised-tiles');
    expect((error as Error).message).toContain('dzi-default_files/10/0_0 copy.jpeg');
    expect((error as Error).message).toContain('dzi-default_files/11_0_0.jpeg');
    expect(before).not.toBeNull();
  });
});

describe('tile --layout', () => {
  it('dzi writes what vips dzsave writes (names and descriptor), and zxy a bare folder describe can read', async () => {
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const { makeTestImage } = await import('./support/fixtures.ts');
    const { runTile } = await import('../src/cli/tiler.ts');
    const input = join(pyramids.root, 'input.jpg');
    await makeTestImage(input);
    const base = { input, outRoot: join(pyramids.root, 'tiled'), format: 'jpg' as const, quality: 80, force: false, log: () => {} };
    await runTile({ ...base, dataset: 'scan', layout: 'dzi', tileSize: 254, overlap: 1 });
    await promisify(execFile)('vips', ['dzsave', input, join(pyramids.root, 'vips', 'scan')]);
    const ours = (await listFiles(join(pyramids.root, 'tiled'))).filter((f) => !f.endsWith('vips-properties.xml'));
    const theirs = (await listFiles(join(pyramids.root, 'vips'))).filter((f) => !f.endsWith('vips-properties.xml'));
    expect(ours).toEqual(theirs);
    const normalise = (xml: string) => xml.replace(/\s+/g, ' ');
    expect(normalise(await readFile(join(pyramids.root, 'tiled', 'scan.dzi'), 'utf8'))).toBe(normalise(await readFile(join(pyramids.root, 'vips', 'scan.dzi'), 'utf8')));

    await runTile({ ...base, dataset: 'plain', layout: 'zxy', tileSize: 256, overlap: 0 });
    const plain = await listFiles(join(pyramids.root, 'tiled', 'plain'));
    expect(plain).not.toContain('info.json');
    const info = await runDescribe({ root: join(pyramids.root, 'tiled'), dataset: 'plain', layout: 'zxy', force: false, log: () => {} });
    expect(info).toMatchObject({ layout: 'zxy', tileSize: 256, minLevel: 0 });
  });
});

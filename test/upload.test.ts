import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AwsClient } from 'aws4fetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INFO_FILE, listTileFiles, writeInfo } from '../src/cli/dataset-folder.ts';
import { runTile } from '../src/cli/tiler.ts';
import { INFO_CACHE_CONTROL, TILE_CACHE_CONTROL, uploadDataset } from '../src/cli/uploader.ts';
import { S3Objects, type FetchLike } from '../src/shared/s3-objects.ts';
import { countingFetch } from './support/counting-fetch.ts';
import { makeTempDir, makeTestImage } from './support/fixtures.ts';
import { startS3rver, type S3rverHandle } from './support/s3rver.ts';

const FAST_RETRY = { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 };
let s3: S3rverHandle;
let temp: { path: string; remove(): Promise<void> };
let datasetDir: string;
let tileCount: number;

function objectsFor(bucket: string, fetch?: FetchLike): S3Objects {
  return new S3Objects({ ...s3, bucket, region: 'auto', ...(fetch ? { fetch } : {}) });
}

beforeAll(async () => {
  s3 = await startS3rver({ buckets: ['roundtrip', 'resume', 'flaky'] });
  temp = await makeTempDir('upload-test-');
  await makeTestImage(join(temp.path, 'input.jpg'));
  await runTile({
    input: join(temp.path, 'input.jpg'), dataset: 'photo', outRoot: join(temp.path, 'tiles'),
    format: 'jpg', quality: 80, tileSize: 256, overlap: 0, force: false, log: () => {},
  });
  datasetDir = join(temp.path, 'tiles', 'photo');
  tileCount = (await listTileFiles(datasetDir)).length;
});
afterAll(async () => {
  await s3.close();
  await temp.remove();
});

describe('upload', () => {
  it('puts every tile and info.json, readable back byte for byte with the right headers', async () => {
    const summary = await uploadDataset({ datasetDir, dataset: 'photo', objects: objectsFor('roundtrip'), maxWorkers: 4, retry: FAST_RETRY });
    expect(summary).toMatchObject({ uploaded: tileCount + 1, skipped: 0, failed: 0, classA: tileCount + 1, classB: tileCount + 1, infoPublished: true });

    const objects = objectsFor('roundtrip');
    for (const tile of await listTileFiles(datasetDir)) {
      const stored = await objects.get(`photo/${tile.relativePath}`);
      expect(stored?.contentType).toBe('image/jpeg');
      expect(Buffer.from(stored!.bytes).equals(await readFile(join(datasetDir, tile.relativePath)))).toBe(true);
    }
    const info = await objects.get(`photo/${INFO_FILE}`);
    expect(Buffer.from(info!.bytes).equals(await readFile(join(datasetDir, INFO_FILE)))).toBe(true);
    expect(summary.bytes).toBeGreaterThan(info!.bytes.byteLength);

    const client = new AwsClient({ accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, service: 's3', region: 'auto' });
    const tileHead = await client.fetch(`${s3.endpoint}/roundtrip/photo/0/0/0.jpg`, { method: 'HEAD' });
    expect(tileHead.headers.get('cache-control')).toBe(TILE_CACHE_CONTROL);
    const infoHead = await client.fetch(`${s3.endpoint}/roundtrip/photo/info.json`, { method: 'HEAD' });
    expect(infoHead.headers.get('cache-control')).toBe(INFO_CACHE_CONTROL);
    expect(infoHead.headers.get('content-type')).toBe('application/json');
  });

  it('resumes an interrupted upload without re-sending what arrived, and publishes info.json only at the end', async () => {
    const arrived = 5;
    const broken = countingFetch({ failPutsAfter: arrived });
    const first = await uploadDataset({ datasetDir, dataset: 'photo', objects: objectsFor('resume', broken.fetch), maxWorkers: 3, retry: FAST_RETRY });
    expect(first.uploaded).toBe(arrived);
    expect(first.failed).toBe(tileCount - arrived);
    expect(first.infoPublished).toBe(false);
    expect(await objectsFor('resume').head(`photo/${INFO_FILE}`)).toBeNull();

    const rerun = countingFetch();
    const second = await uploadDataset({ datasetDir, dataset: 'photo', objects: objectsFor('resume', rerun.fetch), maxWorkers: 3, retry: FAST_RETRY });
    expect(second).toMatchObject({ uploaded: tileCount - arrived + 1, skipped: arrived, failed: 0, infoPublished: true });
    expect(rerun.counts['PUT']).toBe(tileCount - arrived + 1);

    const third = countingFetch();
    const again = await uploadDataset({ datasetDir, dataset: 'photo', objects: objectsFor('resume', third.fetch), maxWorkers: 3, retry: FAST_RETRY });
    expect(again).toMatchObject({ uploaded: 0, skipped: tileCount + 1, classA: 0 });
    expect(third.counts['PUT']).toBeUndefined();
  });

  it('retries 5xx answers with backoff and still finishes', async () => {
    const flaky = countingFetch({ answer503ToFirstPuts: 2 });
    const lines: string[] = [];
    const summary = await uploadDataset({
      datasetDir, dataset: 'photo', objects: objectsFor('flaky', flaky.fetch), maxWorkers: 1, retry: FAST_RETRY, log: (l) => lines.push(l),
    });
    expect(summary).toMatchObject({ uploaded: tileCount + 1, failed: 0, classA: tileCount + 1 + 2 });
    expect(flaky.counts['PUT-503']).toBe(2);
    expect(lines.filter((l) => l.startsWith('retry'))).toHaveLength(2);
  });

  it('gives up on a missing bucket without retrying, and never publishes info.json', async () => {
    const counted = countingFetch();
    const summary = await uploadDataset({ datasetDir, dataset: 'photo', objects: objectsFor('no-such-bucket', counted.fetch), maxWorkers: 2, retry: FAST_RETRY });
    expect(summary.failed).toBeGreaterThan(0);
    expect(summary.uploaded).toBe(0);
    expect(summary.infoPublished).toBe(false);
    // One HEAD and one PUT per object tried: 404 on PUT is permanent, not retried.
    expect(counted.counts['PUT']).toBe(summary.failed);
  });

  it('runs at most maxWorkers transfers at once and stops starting new ones after 25 failures', async () => {
    // 60 one-byte tiles, and a bucket whose every HEAD fails (not retryable) on the next tick.
    const dir = join(temp.path, 'many');
    for (let x = 0; x < 6; x++) {
      await mkdir(join(dir, '3', String(x)), { recursive: true });
      for (let y = 0; y < 10; y++) await writeFile(join(dir, '3', String(x), `${y}.jpg`), 'x');
    }
    await writeInfo(dir, { width: 2048, height: 2560, tileSize: 256, overlap: 0, minLevel: 0, maxLevel: 3, format: 'jpg', version: 'v1' });
    let running = 0;
    let most = 0;
    let heads = 0;
    const failing = {
      head: async () => {
        heads += 1;
        running += 1;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 1));
        running -= 1;
        throw new Error('bucket says no');
      },
      put: async () => {
        throw new Error('never reached');
      },
    } as unknown as S3Objects;
    const maxWorkers = 4;
    const summary = await uploadDataset({ datasetDir: dir, dataset: 'many', objects: failing, maxWorkers, retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
    expect(most).toBe(maxWorkers);
    // Transfers already running when the 25th failed still finish (and fail): at most maxWorkers - 1 more.
    expect(summary.failed).toBeGreaterThanOrEqual(25);
    expect(summary.failed).toBeLessThanOrEqual(25 + maxWorkers - 1);
    expect(heads).toBe(summary.failed);
    // The tiles never started, plus info.json (published only after every tile).
    expect(summary.notAttempted).toBe(60 - summary.failed + 1);
    expect(summary.infoPublished).toBe(false);
  });
});

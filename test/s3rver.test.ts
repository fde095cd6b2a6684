import { AwsClient } from 'aws4fetch';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startS3rver, type S3rverHandle } from './support/s3rver.ts';

let s3: S3rverHandle;
let client: AwsClient;
beforeAll(async () => {
  s3 = await startS3rver({ buckets: ['roundtrip'] });
  client = new AwsClient({ accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, service: 's3', region: 'auto' });
});
afterAll(async () => {
  await s3.close();
});

it('stores and returns an object byte for byte through signed path-style requests', async () => {
  const body = new Uint8Array(70_000).map((_, i) => (i * 31) % 256);
  const url = `${s3.endpoint}/roundtrip/some/key.bin`;
  const put = await client.fetch(url, { method: 'PUT', body, headers: { 'Content-Type': 'application/octet-stream' } });
  expect(put.status).toBe(200);
  const get = await client.fetch(url);
  expect(get.status).toBe(200);
  expect(new Uint8Array(await get.arrayBuffer())).toEqual(body);
  const missing = await client.fetch(`${s3.endpoint}/roundtrip/nope`);
  expect(missing.status).toBe(404);
  await missing.body?.cancel();
});

it('answers CORS preflights for browsers', async () => {
  const response = await fetch(`${s3.endpoint}/roundtrip/some/key.bin`, {
    method: 'OPTIONS',
    headers: { Origin: 'http://localhost:5173', 'Access-Control-Request-Method': 'GET' },
  });
  expect(response.status).toBe(200);
  expect(response.headers.get('access-control-allow-origin')).toBe('*');
});

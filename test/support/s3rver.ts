/**
 * A real S3-API server on 127.0.0.1 for integration tests: s3rver on an
 * ephemeral port, in a fresh temp folder, with each bucket open to browsers
 * through CORS (GET/HEAD/PUT from any origin, ETag exposed). Address objects
 * path-style: `${endpoint}/${bucket}/${key}`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

export interface S3rverHandle {
  readonly endpoint: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
  close(): Promise<void>;
}

const CORS_XML = `<CORSConfiguration>
  <CORSRule>
    <AllowedOrigin>*</AllowedOrigin>
    <AllowedMethod>GET</AllowedMethod>
    <AllowedMethod>HEAD</AllowedMethod>
    <AllowedMethod>PUT</AllowedMethod>
    <AllowedHeader>*</AllowedHeader>
    <ExposeHeader>ETag</ExposeHeader>
    <MaxAgeSeconds>3000</MaxAgeSeconds>
  </CORSRule>
</CORSConfiguration>`;

export async function startS3rver(options: { buckets: string[] }): Promise<S3rverHandle> {
  const directory = await mkdtemp(join(tmpdir(), 's3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    // Path-style only: vhost matching would treat "127.0.0.1" oddly and we never use it.
    vhostBuckets: false,
    configureBuckets: options.buckets.map((name) => ({ name, configs: [CORS_XML] })),
  });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    region: 'us-east-1',
    async close() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

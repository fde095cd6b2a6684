/**
 * A throwaway self-signed certificate for 127.0.0.1, made with the openssl
 * CLI in a temp dir at bench start (Node has no API to sign one).
 *
 * Chromium is told to trust exactly this key (--ignore-certificate-errors-spki-list)
 * rather than to ignore certificate errors wholesale: with a certificate
 * error Chromium does not store responses in its HTTP cache, which would make
 * every warm HTTP/2 number of the HTTP-cache variants wrong.
 */
import { execFile } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TileError } from '../../shared/errors.ts';

export interface Certificate {
  key: string;
  cert: string;
}

/** base64 SHA-256 of the certificate's public key, as --ignore-certificate-errors-spki-list wants it. */
export function spkiHash(cert: string): string {
  const spki = new X509Certificate(cert).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

export async function selfSignedCertificate(): Promise<Certificate> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-cert-'));
  try {
    await promisify(execFile)(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
        '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
        '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
      { timeout: 20_000 },
    );
    const [key, cert] = await Promise.all([readFile(join(dir, 'key.pem'), 'utf8'), readFile(join(dir, 'cert.pem'), 'utf8')]);
    return { key, cert };
  } catch (error) {
    throw new TileError('INTERNAL', 'Making the HTTP/2 certificate failed: install the openssl CLI, or run with --no-h2.', { cause: error });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

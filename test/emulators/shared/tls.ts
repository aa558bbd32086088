import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A certificate and its private key, both PEM, valid for 127.0.0.1 and localhost. */
export interface TlsMaterial {
  readonly cert: string;
  readonly key: string;
}

let material: Promise<TlsMaterial> | undefined;

/**
 * A throwaway self-signed certificate, made once per test process with the `openssl` CLI.
 *
 * The Azure SDK's bearer-token policy refuses plain-HTTP URLs, so the emulators speak HTTPS. The key
 * only ever lives in memory (its temporary folder is removed at once) and is never committed; SDK
 * clients trust the certificate through their own `tlsOptions.ca`, never through a process-wide
 * switch such as NODE_TLS_REJECT_UNAUTHORIZED.
 */
export function throwawayCertificate(): Promise<TlsMaterial> {
  material ??= generate();
  return material;
}

async function generate(): Promise<TlsMaterial> {
  const dir = await mkdtemp(join(tmpdir(), 'keyturn-emulator-tls-'));
  try {
    const keyPath = join(dir, 'key.pem');
    const certPath = join(dir, 'cert.pem');
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyPath,
      '-out',
      certPath,
      '-days',
      '2',
      '-subj',
      '/CN=keyturn-emulator',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ]);
    const [cert, key] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
    return { cert, key };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

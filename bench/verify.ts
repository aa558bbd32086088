import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';

import { mintKey } from '../src/adapters/issuers/managed/key-format';
import { ManagedKeyStore } from '../src/adapters/issuers/managed/key-store';
import { ManagedKeyVerifier } from '../src/adapters/issuers/managed/verifier';
import { systemClock } from '../src/core/clock';
import { Keyring } from '../src/crypto/keyring';
import { createTableProvider, TableRole } from '../src/storage/tables';

export interface VerifyBenchResult {
  readonly keys: number;
  readonly verifications: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Share of presented keys that were valid (the rest are well-formed look-alikes). */
  readonly validShare: number;
}

const KEYS = 1_000;
const VERIFICATIONS = 200_000;

/**
 * The managed issuer's hot path in process: checksum, HMAC, cached record lookup, constant-time
 * compare. Keys are registered in Azurite; the cache is warmed once, as a running API's would be.
 * One in ten presented keys is a forgery with a valid checksum, which costs a cached miss.
 */
export async function benchVerify(connectionString: string): Promise<VerifyBenchResult> {
  const tables = createTableProvider(
    { kind: 'connection-string', connectionString },
    `bench${randomBytes(4).toString('hex')}`,
  );
  await tables.ensureTables();
  const keyring = new Keyring(randomBytes(32));
  const store = new ManagedKeyStore(tables.table(TableRole.ManagedKeys));
  const verifier = new ManagedKeyVerifier(store, keyring, systemClock, { cacheTtlMs: 10 * 60_000 });
  const keys = Array.from({ length: KEYS }, () => mintKey('kbench'));
  await Promise.all(
    keys.map((key, generation) =>
      store.register({ credentialId: 'bench', generation }, keyring.hashKey(key), 'current', new Date()),
    ),
  );
  const forgeries = Array.from({ length: KEYS / 10 }, () => mintKey('kbench'));
  const presented = (i: number): string =>
    (i % 10 === 9 ? forgeries[i % forgeries.length] : keys[i % KEYS]) ?? '';
  for (let i = 0; i < KEYS * 2; i++) await verifier.verify(presented(i));

  const latencies = new Float64Array(VERIFICATIONS);
  let valid = 0;
  const started = performance.now();
  for (let i = 0; i < VERIFICATIONS; i++) {
    const t0 = performance.now();
    if ((await verifier.verify(presented(i))).valid) valid++;
    latencies[i] = performance.now() - t0;
  }
  const elapsed = performance.now() - started;
  latencies.sort();
  return {
    keys: KEYS,
    verifications: VERIFICATIONS,
    perSecond: VERIFICATIONS / (elapsed / 1000),
    p50Ms: latencies[Math.floor(VERIFICATIONS * 0.5)] ?? 0,
    p99Ms: latencies[Math.floor(VERIFICATIONS * 0.99)] ?? 0,
    validShare: valid / VERIFICATIONS,
  };
}

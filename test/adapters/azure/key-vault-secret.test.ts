import { inspect } from 'node:util';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { SecretValue } from '../../../src/core/secret';
import { createSecretClient } from '../../emulators/key-vault';
import { contractContext, NEW_KEY, OLD_KEY } from '../contract';
import { keyVaultSecretFixture, SECRET } from './fixtures';

type Fixture = Awaited<ReturnType<typeof keyVaultSecretFixture>>;

let f: Fixture;
beforeEach(async () => {
  f = await keyVaultSecretFixture();
});
afterEach(async () => {
  await f.stop();
});

const versions = () => f.kv.control.secret(SECRET)?.versions ?? [];

describe('key-vault-secret target: happy path', () => {
  it('writes each key as a new version tagged with credential, generation and fingerprint, expiring at the maximum age', async () => {
    f.kv.control.seedSecret(SECRET, OLD_KEY);

    await f.target.write(new SecretValue(NEW_KEY), contractContext);

    expect(versions()).toHaveLength(2);
    expect(versions()[1]).toMatchObject({
      value: NEW_KEY,
      enabled: true,
      contentType: 'text/plain',
      expiresOn: contractContext.expiresAt,
      tags: {
        'keyturn-credential': contractContext.credentialId,
        'keyturn-generation': '2',
        'keyturn-fingerprint': contractContext.fingerprint,
      },
    });
  });

  it('reads the newest version whatever order the version listing uses', async () => {
    // Listings page versions by id, not by age: seed until the newest one does not sort last.
    let i = 0;
    const newestSortsLast = () => {
      const ids = versions().map((v) => v.version);
      return [...ids].sort().at(-1) === ids.at(-1);
    };
    do f.kv.control.seedSecret(SECRET, `value-${i++}`);
    while (i < 2 || newestSortsLast());
    const newest = versions().at(-1);

    const snapshot = await f.target.read();

    expect(snapshot).toMatchObject({ state: 'present', version: newest?.version });
    expect(snapshot.state === 'present' && snapshot.value.reveal()).toBe(newest?.value);
  });

  it('retires a revoked key by disabling every version that holds it, and no other', async () => {
    f.kv.control.seedSecret(SECRET, OLD_KEY);
    await f.target.write(new SecretValue(NEW_KEY), contractContext);
    await f.target.restore({ state: 'present', value: new SecretValue(OLD_KEY) }, contractContext);

    await f.target.retire?.({ ...contractContext, fingerprint: contractContext.fingerprint });

    expect(versions().map((v) => [v.value, v.enabled])).toEqual([
      [OLD_KEY, true],
      [NEW_KEY, false],
      [OLD_KEY, true],
    ]);
    const snapshot = await f.target.read();
    expect(snapshot.state === 'present' && snapshot.value.reveal()).toBe(OLD_KEY);
  });

  it('restores a previous version that was disabled: enables it and makes its value the latest again, with its own tags', async () => {
    const old = f.kv.control.seedSecret(SECRET, OLD_KEY, { tags: { 'keyturn-generation': '1' } });
    const before = await f.target.read();
    await f.target.write(new SecretValue(NEW_KEY), contractContext);
    await createSecretClient(f.kv).updateSecretProperties(SECRET, old.version, { enabled: false });

    const result = await f.target.restore(before, contractContext);

    expect(result).toEqual({ written: true });
    expect(versions()[0]).toMatchObject({ version: old.version, enabled: true });
    expect(versions().at(-1)).toMatchObject({ value: OLD_KEY, tags: { 'keyturn-generation': '1' } });
  });

  it('writes over a concurrent writer: the version it adds is the newest', async () => {
    f.kv.control.faults.concurrentNewVersion(SECRET, 'someone-else');

    await f.target.write(new SecretValue(NEW_KEY), contractContext);

    expect(versions().map((v) => v.value)).toEqual(['someone-else', NEW_KEY]);
  });
});

describe('key-vault-secret target: errors', () => {
  it('refuses to write a soft-deleted secret with a non-retryable conflict that says what to do', async () => {
    f.kv.control.seedSecret(SECRET, OLD_KEY);
    await (await createSecretClient(f.kv).beginDeleteSecret(SECRET)).pollUntilDone();

    const failure = await f.target.write(new SecretValue(NEW_KEY), contractContext).catch((e: unknown) => e);

    expect(failure).toMatchObject({ kind: 'conflict', retryable: false });
    expect((failure as Error).message).toMatch(/orders-api-key.*deleted but recoverable.*recover it/);
  });

  it('treats a latest version that is disabled as holding nothing', async () => {
    const seeded = f.kv.control.seedSecret(SECRET, OLD_KEY);
    await createSecretClient(f.kv).updateSecretProperties(SECRET, seeded.version, { enabled: false });

    expect(await f.target.read()).toEqual({ state: 'absent', detail: { secret: 'disabled' } });
  });
});

describe('key-vault-secret target: security', () => {
  it('tags versions with the fingerprint and never the key', async () => {
    await f.target.write(new SecretValue(NEW_KEY), contractContext);

    expect(JSON.stringify(versions()[0]?.tags)).not.toContain(NEW_KEY);
    expect(inspect(f.target, { depth: 10 })).not.toContain(NEW_KEY);
  });
});

import { secretReferenceContentType } from '@azure/app-configuration';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { SecretValue } from '../../../src/core/secret';
import { EMULATOR_VAULT_URL } from '../../support/azure';
import { contractContext, NEW_KEY, OLD_KEY } from '../contract';
import { appConfigurationFixture, appConfigurationReferenceFixture, KEY, LABEL, SECRET } from './fixtures';

describe('app-configuration target (plain)', () => {
  let f: Awaited<ReturnType<typeof appConfigurationFixture>>;
  beforeEach(async () => {
    f = await appConfigurationFixture();
  });
  afterEach(async () => {
    await f.stop();
  });
  const keyValue = () => f.store.control.keyValue(KEY, LABEL);
  const writes = () => f.store.control.writes({ key: KEY, label: LABEL }).length;

  it('keeps the content type and tags of the key-value it updates, and touches no other label', async () => {
    f.store.control.seed({
      key: KEY,
      label: LABEL,
      value: OLD_KEY,
      contentType: 'text/plain',
      tags: { team: 'orders' },
    });
    f.store.control.seed({ key: KEY, label: 'prod', value: 'prod-key' });

    await f.target.write(new SecretValue(NEW_KEY), contractContext);

    expect(keyValue()).toMatchObject({ value: NEW_KEY, contentType: 'text/plain', tags: { team: 'orders' } });
    expect(f.store.control.keyValue(KEY, 'prod')?.value).toBe('prod-key');
  });

  it('on a concurrent change (412) reads again and writes its key over the other value', async () => {
    f.store.control.seed({ key: KEY, label: LABEL, value: OLD_KEY });
    const race = f.store.control.faults.concurrentChange({ key: KEY, label: LABEL, value: 'someone-else' });

    const result = await f.target.write(new SecretValue(NEW_KEY), contractContext);

    await race.reached;
    expect(result).toEqual({ written: true });
    expect(keyValue()?.value).toBe(NEW_KEY);
    expect(
      f.store.control
        .requests()
        .filter((r) => r.method === 'PUT')
        .map((r) => r.outcome),
    ).toEqual([412, 200]);
  });

  it('on a concurrent change that already wrote its key, writes nothing more', async () => {
    f.store.control.seed({ key: KEY, label: LABEL, value: OLD_KEY });
    f.store.control.faults.concurrentChange({ key: KEY, label: LABEL, value: NEW_KEY });

    const result = await f.target.write(new SecretValue(NEW_KEY), contractContext);

    expect(result).toEqual({ written: false });
    expect(keyValue()?.value).toBe(NEW_KEY);
    expect(writes()).toBe(0);
  });

  it('fails with a clear, non-retryable error on a read-only (locked) key-value, and writes nothing', async () => {
    f.store.control.seed({ key: KEY, label: LABEL, value: OLD_KEY, locked: true });

    const failure = await f.target.write(new SecretValue(NEW_KEY), contractContext).catch((e: unknown) => e);

    expect(failure).toMatchObject({ kind: 'conflict', retryable: false });
    expect((failure as Error).message).toMatch(/Orders:ApiKey \(label test\).*read-only \(locked\)/);
    expect(keyValue()?.value).toBe(OLD_KEY);
    expect(writes()).toBe(0);
  });

  it('gives up as a retryable conflict when the key-value keeps changing under it', async () => {
    f.store.control.seed({ key: KEY, label: LABEL, value: OLD_KEY });
    f.store.control.faults.concurrentChange(
      { key: KEY, label: LABEL, value: 'someone-else' },
      { times: Infinity },
    );

    const failure = await f.target.write(new SecretValue(NEW_KEY), contractContext).catch((e: unknown) => e);

    expect(failure).toMatchObject({ kind: 'conflict', retryable: true });
  });
});

describe('app-configuration target (Key Vault reference)', () => {
  let f: Awaited<ReturnType<typeof appConfigurationReferenceFixture>>;
  beforeEach(async () => {
    f = await appConfigurationReferenceFixture();
  });
  afterEach(async () => {
    await f.stop();
  });

  it('puts the key into the secret and a versionless reference, in the documented JSON and content type, into the key-value', async () => {
    await f.target.write(new SecretValue(NEW_KEY), contractContext);

    expect(f.kv.control.secret(SECRET)?.versions.map((v) => v.value)).toEqual([NEW_KEY]);
    expect(f.store.control.keyValue(KEY, LABEL)).toMatchObject({
      value: JSON.stringify({ uri: `${EMULATOR_VAULT_URL}/secrets/${SECRET}` }),
      contentType: secretReferenceContentType,
    });
  });

  it('rotates by adding a secret version only: the reference stays as it is', async () => {
    await f.target.write(new SecretValue(OLD_KEY), contractContext);
    const reference = f.store.control.keyValue(KEY, LABEL);

    await f.target.write(new SecretValue(NEW_KEY), { ...contractContext, generation: 3 });

    expect(f.store.control.keyValue(KEY, LABEL)?.etag).toBe(reference?.etag);
    expect(f.kv.control.secret(SECRET)?.versions.map((v) => v.value)).toEqual([OLD_KEY, NEW_KEY]);
  });

  it('replaces a plain value with the reference, and restores the plain value', async () => {
    f.store.control.seed({ key: KEY, label: LABEL, value: OLD_KEY, contentType: 'text/plain' });
    const before = await f.target.read();

    await f.target.write(new SecretValue(NEW_KEY), contractContext);
    await f.target.restore(before, contractContext);

    expect(f.store.control.keyValue(KEY, LABEL)).toMatchObject({ value: OLD_KEY, contentType: 'text/plain' });
  });

  it('reads what a reference to another secret resolves to, as App Configuration providers do', async () => {
    f.kv.control.seedSecret('other-secret', OLD_KEY);
    f.store.control.seed({
      key: KEY,
      label: LABEL,
      value: JSON.stringify({ uri: `${EMULATOR_VAULT_URL}/secrets/other-secret` }),
      contentType: secretReferenceContentType,
    });

    const snapshot = await f.target.read();

    expect(snapshot.state === 'present' && snapshot.value.reveal()).toBe(OLD_KEY);
  });

  it('never contacts a vault outside its cloud to resolve a reference', async () => {
    f.store.control.seed({
      key: KEY,
      label: LABEL,
      value: JSON.stringify({ uri: 'https://elsewhere.vault.azure.cn/secrets/x' }),
      contentType: secretReferenceContentType,
    });

    expect(await f.target.read()).toMatchObject({
      state: 'absent',
      detail: { keyValue: 'unresolved-reference' },
    });
    expect(f.kv.control.requests()).toHaveLength(0);
  });
});

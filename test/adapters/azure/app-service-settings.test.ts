import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { SecretValue } from '../../../src/core/secret';
import { EMULATOR_VAULT_URL } from '../../support/azure';
import { contractContext, NEW_KEY, OLD_KEY } from '../contract';
import { appServiceFixture, appServiceReferenceFixture, SECRET, SETTING, SITE, SITE_ID } from './fixtures';

const LIST = { method: 'POST', path: `${SITE_ID}/config/appsettings/list` } as const;

describe('app-service-settings target: merging into a collection ARM replaces whole', () => {
  let f: Awaited<ReturnType<typeof appServiceFixture>>;
  beforeEach(async () => {
    f = await appServiceFixture('site');
  });
  afterEach(async () => {
    await f.stop();
  });
  const settings = () => f.arm.control.appSettings(SITE);

  it('changes only its own setting and keeps every other one', async () => {
    await f.seed(OLD_KEY);

    await f.target.write(new SecretValue(NEW_KEY), contractContext);

    expect(settings()).toEqual({ OTHER_SETTING: 'kept', [SETTING]: NEW_KEY });
  });

  it('re-applies its setting on top of a stale write that dropped it, keeping that writer’s change too', async () => {
    // Our two reads go through; the verifying read after our write finds another writer's stale
    // collection: its own change, without ours.
    f.arm.control.faults.interleave(() => undefined, { match: LIST, times: 2 });
    f.arm.control.faults.concurrentAppSettingChange(
      SITE,
      { [SETTING]: null, OTHER_TEAM: 'added meanwhile' },
      { match: LIST, times: 1 },
    );

    const result = await f.target.write(new SecretValue(NEW_KEY), contractContext);

    expect(result).toEqual({ written: true });
    expect(settings()).toEqual({ OTHER_SETTING: 'kept', OTHER_TEAM: 'added meanwhile', [SETTING]: NEW_KEY });
    expect(f.arm.control.writes(`${SITE_ID}/config/appsettings`)).toHaveLength(2);
  });

  it('gives up as a retryable conflict when other writers keep dropping its setting', async () => {
    f.arm.control.faults.interleave(() => undefined, { match: LIST, times: 2 });
    f.arm.control.faults.concurrentAppSettingChange(
      SITE,
      { [SETTING]: null },
      { match: LIST, times: Infinity },
    );

    const failure = await f.target.write(new SecretValue(NEW_KEY), contractContext).catch((e: unknown) => e);

    expect(failure).toMatchObject({ kind: 'conflict', retryable: true });
    expect((failure as Error).message).toContain(SETTING);
  });

  it('cannot see a change made in the instant between its read and its write: App Service offers no precondition (documented limit)', async () => {
    const race = f.arm.control.faults.concurrentAppSettingChange(SITE, { OTHER_TEAM: 'added meanwhile' });

    await f.target.write(new SecretValue(NEW_KEY), contractContext);

    await race.reached;
    expect(settings()).toEqual({ OTHER_SETTING: 'kept', [SETTING]: NEW_KEY });
  });

  it('removes only its own setting when it restores absence', async () => {
    const before = await f.target.read();
    await f.target.write(new SecretValue(NEW_KEY), contractContext);

    await f.target.restore(before, contractContext);

    expect(settings()).toEqual({ OTHER_SETTING: 'kept' });
  });
});

describe('app-service-settings target: a setting that is a Key Vault reference', () => {
  let f: Awaited<ReturnType<typeof appServiceReferenceFixture>>;
  beforeEach(async () => {
    f = await appServiceReferenceFixture();
  });
  afterEach(async () => {
    await f.stop();
  });

  it('writes the key into the referenced secret and makes the app re-read it now, without a restart or a settings write', async () => {
    await f.seed(OLD_KEY);
    const reference = f.arm.control.appSettings(SITE)[SETTING];

    await f.target.write(new SecretValue(NEW_KEY), contractContext);

    expect(f.kv.control.secret(SECRET)?.versions.map((v) => v.value)).toEqual([OLD_KEY, NEW_KEY]);
    expect(f.arm.control.appSettings(SITE)[SETTING]).toBe(reference);
    expect(f.arm.control.effectiveAppSettings(SITE)[SETTING]).toBe(NEW_KEY);
    expect(f.arm.control.referenceRefreshes(SITE)).toBe(1);
    expect(f.arm.control.restarts(SITE)).toBe(0);
    expect(f.arm.control.writes(`${SITE_ID}/config/appsettings`)).toHaveLength(0);
  });

  it('refreshes nothing when the app already resolved the newest version', async () => {
    await f.target.write(new SecretValue(NEW_KEY), contractContext);

    await f.target.write(new SecretValue(NEW_KEY), contractContext);

    expect(f.arm.control.referenceRefreshes(SITE)).toBe(1);
  });

  it('reads what the app resolved, not merely the newest secret version', async () => {
    await f.seed(OLD_KEY);
    f.kv.control.seedSecret(SECRET, NEW_KEY);

    const snapshot = await f.target.read();

    expect(snapshot.state === 'present' && snapshot.value.reveal()).toBe(OLD_KEY);
  });

  it('refuses a reference pinned to a version, naming the setting and what to change', async () => {
    const pinned = f.kv.control.seedSecret(SECRET, OLD_KEY);
    f.arm.control.seedSite({
      ...SITE,
      appSettings: {
        [SETTING]: `@Microsoft.KeyVault(SecretUri=${EMULATOR_VAULT_URL}/secrets/${SECRET}/${pinned.version})`,
      },
    });

    const failure = await f.target.write(new SecretValue(NEW_KEY), contractContext).catch((e: unknown) => e);

    expect(failure).toMatchObject({ kind: 'invalid-input', retryable: false });
    expect((failure as Error).message).toMatch(new RegExp(`${SETTING}.*pinned to version.*versionless`));
    expect(f.kv.control.writes()).toHaveLength(0);
  });

  it('understands the VaultName/SecretName form of a reference', async () => {
    f.arm.control.seedSite({
      ...SITE,
      appSettings: { [SETTING]: `@Microsoft.KeyVault(VaultName=emulator;SecretName=${SECRET})` },
    });

    await f.target.write(new SecretValue(NEW_KEY), contractContext);

    expect(f.arm.control.effectiveAppSettings(SITE)[SETTING]).toBe(NEW_KEY);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { SecretValue } from '../../src/core/secret';
import { DAY, HOUR } from '../support/clock';
import { Harness } from '../support/harness';
import { expectNoOutage } from '../support/invariants';
import {
  API,
  azureDocument,
  AzureWorld,
  DUAL_KEY,
  expectNoKeyLeak,
  expectNoZombie,
  MANAGED,
  promoted,
  REFERENCE,
  rotationOf,
  settle,
  STORAGE,
  WEB,
  WEB_ID,
} from './azure-support';

const WEB_LIST = { method: 'POST', path: `${WEB_ID}/config/appsettings/list` } as const;

describe('rotation through the local host with Azure targets', () => {
  let world: AzureWorld;
  let h: Harness;
  beforeEach(async () => {
    world = await AzureWorld.start();
  });
  const start = async (focus: string) => {
    h = await Harness.start({ document: () => azureDocument(focus), azure: world.azure });
  };
  afterEach(async () => {
    await h.stop();
    await world.stop();
  });

  const completed = (rotationId: string) => async () =>
    (await rotationOf(h, rotationId))?.status === 'completed';

  /** Throttling and 5xx on every service, some beyond what the SDK retries within one step. */
  function injectFaults(): () => void {
    const handles = [
      world.kv.control.faults.throttle({ times: 3, retryAfterSeconds: 0 }),
      // More than the SDK retries within one step: the orchestrator retries the step on a timer.
      world.kv.control.faults.serverError(503, { times: 6, match: { writes: true } }),
      world.store.control.faults.throttle({ times: 2, retryAfterMs: 5 }),
      world.store.control.faults.serverError(500, { times: 2, match: { writes: true } }),
      world.arm.control.faults.throttle({ times: 3, retryAfterSeconds: 0 }),
      world.arm.control.faults.serverError(500, { times: 2, match: { writes: true } }),
    ];
    return () => {
      expect(handles.map((handle) => handle.remaining)).toEqual(handles.map(() => 0));
    };
  }

  /**
   * Another team's tool read the web app's settings before keyturn wrote and writes back what it
   * read, plus its own change, right after keyturn's write.
   */
  function raceStaleSettingsWriter(setting: string): void {
    const stale = world.arm.control.appSettings(WEB);
    let fired = false;
    world.arm.control.faults.interleave(
      () => {
        if (fired || world.arm.control.appSettings(WEB)[setting] === stale[setting]) return;
        fired = true;
        world.arm.control.seedSite({
          ...WEB,
          appSettings: { ...stale, OTHER_TEAM: 'added by another team' },
        });
      },
      { match: WEB_LIST, times: Infinity },
    );
  }

  it('keeps the invariants while a managed key goes to Key Vault, App Configuration and App Service under faults and a concurrent settings change', async () => {
    await start(MANAGED);
    injectFaults();
    raceStaleSettingsWriter('ORDERS_API_KEY');
    expect((await h.api('POST', `/credentials/${MANAGED}/rotate`, { reason: 'onboarding' })).status).toBe(
      202,
    );
    await settle(h, MANAGED, completed(`${MANAGED}.g1`));

    const first = world.kv.control.secret('orders-api-key')?.versions.at(-1)?.value ?? '';
    expect(first).toMatch(/^kord_/);
    expect(world.store.control.keyValue('Orders:ApiKey', 'test')?.value).toBe(first);
    expect(world.arm.control.appSettings(WEB)).toEqual({
      OTHER_SETTING: 'kept',
      OTHER_TEAM: 'added by another team',
      ORDERS_API_KEY: first,
    });
    expect(world.arm.control.appSettings(API).ORDERS_API_KEY).toBe(REFERENCE);
    expect(world.arm.control.effectiveAppSettings(API).ORDERS_API_KEY).toBe(first);

    h.clock.advance(24 * DAY);
    const allFaultsHitAgain = injectFaults();
    raceStaleSettingsWriter('ORDERS_API_KEY');
    await settle(h, MANAGED, promoted(h, MANAGED, 2));
    allFaultsHitAgain();
    h.clock.advance(12 * HOUR);
    await settle(h, MANAGED, completed(`${MANAGED}.g2`));

    const second = world.arm.control.appSettings(WEB).ORDERS_API_KEY;
    expect(second).not.toBe(first);
    expect(world.arm.control.effectiveAppSettings(API).ORDERS_API_KEY).toBe(second);
    expect(world.arm.control.appSettings(WEB).OTHER_SETTING).toBe('kept');
    expect(
      world.kv.control.secret('orders-api-key')?.versions.map((v) => [v.value === first, v.enabled]),
    ).toEqual([
      [true, false],
      [false, true],
    ]);
    await expectNoZombie(h, MANAGED);
    expect(await h.api('GET', '/audit/verify')).toMatchObject({ status: 200, body: { ok: true } });
    await expectNoKeyLeak(h, world, [`${MANAGED}.g1`, `${MANAGED}.g2`]);
  });

  it('keeps the invariants while a storage account key alternates between key1 and key2 under faults and a concurrent settings change', async () => {
    await start(DUAL_KEY);
    const allFaultsHit = injectFaults();
    raceStaleSettingsWriter('STORAGE_KEY');
    world.arm.control.faults.throttle({ times: 2, retryAfterSeconds: 0, match: { path: 'regenerateKey' } });
    expect((await h.api('POST', `/credentials/${DUAL_KEY}/rotate`, { reason: 'onboarding' })).status).toBe(
      202,
    );
    await settle(h, DUAL_KEY, completed(`${DUAL_KEY}.g1`));
    allFaultsHit();
    const original = world.arm.control.storageKeys(STORAGE);
    expect(world.arm.control.appSettings(WEB).STORAGE_KEY).toBe(original.key1);

    h.clock.advance(24 * DAY);
    const allFaultsHitAgain = injectFaults();
    raceStaleSettingsWriter('STORAGE_KEY');
    await settle(h, DUAL_KEY, promoted(h, DUAL_KEY, 2));
    allFaultsHitAgain();

    const rotated = world.arm.control.storageKeys(STORAGE);
    expect(rotated.key1).toBe(original.key1);
    expect(rotated.key2).not.toBe(original.key2);
    expect(world.store.control.keyValue('Storage:Key', 'test')?.value).toBe(rotated.key2);
    expect(world.arm.control.appSettings(WEB)).toEqual({
      OTHER_SETTING: 'kept',
      OTHER_TEAM: 'added by another team',
      STORAGE_KEY: rotated.key2,
    });

    h.clock.advance(12 * HOUR);
    await settle(h, DUAL_KEY, completed(`${DUAL_KEY}.g2`));

    const after = world.arm.control.storageKeys(STORAGE);
    expect(after.key1).not.toBe(original.key1);
    expect(after.key2).toBe(rotated.key2);
    expect(
      await h.services.issuerFor(h.config.credential(DUAL_KEY)!).accepts?.(new SecretValue(original.key1)),
    ).toBe(false);
    expect(
      world.kv.control.secret('storage-key')?.versions.map((v) => [v.value === original.key1, v.enabled]),
    ).toEqual([
      [true, false],
      [false, true],
    ]);
    await expectNoZombie(h, DUAL_KEY);
    await expectNoOutage(h, MANAGED);
    expect(await h.api('GET', '/audit/verify')).toMatchObject({ status: 200, body: { ok: true } });
    await expectNoKeyLeak(h, world, [`${DUAL_KEY}.g1`, `${DUAL_KEY}.g2`]);
  });

  it('compensates a failed first rotation of the storage key and keeps the key consumers had', async () => {
    await start(DUAL_KEY);
    const original = world.arm.control.storageKeys(STORAGE);
    world.arm.control.seedSite({
      ...WEB,
      appSettings: { OTHER_SETTING: 'kept', STORAGE_KEY: original.key1 },
    });
    // The App Configuration store refuses keyturn for good: distribution fails, so the rotation compensates.
    world.store.control.faults.inject(
      { writes: true },
      { kind: 'reply', name: 'forbidden', reply: { status: 403 } },
      Infinity,
    );

    await h.api('POST', `/credentials/${DUAL_KEY}/rotate`, { reason: 'onboarding' });
    // Consumers had key1 in one target before keyturn, the others held nothing: no outage check here.
    await settle(h, DUAL_KEY, async () => (await rotationOf(h, `${DUAL_KEY}.g1`))?.status === 'failed', {
      checkOutage: false,
    });

    expect(world.arm.control.storageKeys(STORAGE)).toEqual(original);
    expect(world.arm.control.appSettings(WEB).STORAGE_KEY).toBe(original.key1);
  });
});

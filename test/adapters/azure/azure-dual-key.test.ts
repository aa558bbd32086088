import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { Issuer } from '../../../src/adapters/ports';
import { KeyturnError } from '../../../src/core/errors';
import { SecretValue } from '../../../src/core/secret';
import { type RunningArmEmulator, startArmEmulator } from '../../emulators/arm';
import { emulatorAzureContext } from '../../support/azure';
import { RESOURCE_GROUP } from './fixtures';
import { createIssuer, fingerprint, MemoryLedger, memoryStash, ref } from './issuers';

interface Resource {
  readonly name: string;
  seed(arm: RunningArmEmulator): string;
  keys(arm: RunningArmEmulator): [string, string];
}

const RESOURCES: readonly Resource[] = [
  {
    name: 'storage account',
    seed: (arm) => arm.control.seedStorageAccount({ resourceGroup: RESOURCE_GROUP, name: 'ordersstore' }),
    keys: (arm) => {
      const k = arm.control.storageKeys({ resourceGroup: RESOURCE_GROUP, name: 'ordersstore' });
      return [k.key1, k.key2];
    },
  },
  {
    name: 'Cognitive Services account',
    seed: (arm) => arm.control.seedCognitiveAccount({ resourceGroup: RESOURCE_GROUP, name: 'orders-openai' }),
    keys: (arm) => {
      const k = arm.control.cognitiveKeys({ resourceGroup: RESOURCE_GROUP, name: 'orders-openai' });
      return [k.key1, k.key2];
    },
  },
  {
    name: 'API Management subscription',
    seed: (arm) =>
      arm.control.seedApimSubscription({
        resourceGroup: RESOURCE_GROUP,
        serviceName: 'orders-apim',
        sid: 'partner',
      }),
    keys: (arm) => {
      const k = arm.control.apimSubscriptionKeys({
        resourceGroup: RESOURCE_GROUP,
        serviceName: 'orders-apim',
        sid: 'partner',
      });
      return [k.primaryKey, k.secondaryKey];
    },
  },
];

describe.each(RESOURCES)('azure-dual-key issuer on a $name', (resource) => {
  let arm: RunningArmEmulator;
  let ledger: MemoryLedger;
  let issuer: Issuer;
  let id: string;
  beforeEach(async () => {
    arm = await startArmEmulator();
    id = resource.seed(arm);
    ledger = new MemoryLedger();
    issuer = createIssuer({ kind: 'azure-dual-key', resourceId: id }, emulatorAzureContext({ arm }), ledger);
  });
  afterEach(async () => {
    await arm.stop();
  });
  const regenerations = () => arm.control.writes(id).length;

  /** Issues and promotes a generation, as the workflow's generate and promote steps record it. */
  const rotate = async (generation: number, previous?: number) => {
    const value = await issuer.issue(ref(generation), memoryStash());
    ledger.record(generation, fingerprint(value.reveal()), 'current', true);
    if (previous !== undefined)
      ledger.record(
        previous,
        ledger.entries.find((e) => e.generation === previous)?.fingerprint ?? '',
        'previous',
        true,
      );
    return value.reveal();
  };

  it('adopts the first key as it is for the first generation: it cannot know which key consumers use', async () => {
    const [first] = resource.keys(arm);

    const value = await issuer.issue(ref(1), memoryStash());

    expect(value.reveal()).toBe(first);
    expect(regenerations()).toBe(0);
  });

  it('hands the next generation the other key, freshly regenerated', async () => {
    const one = await rotate(1);
    const [, secondBefore] = resource.keys(arm);

    const two = (await issuer.issue(ref(2), memoryStash())).reveal();

    expect(resource.keys(arm)).toEqual([one, two]);
    expect(two).not.toBe(secondBefore);
    expect(regenerations()).toBe(1);
  });

  it('returns the stashed key when issue runs again, and regenerates nothing more', async () => {
    await rotate(1);
    const stash = memoryStash();

    const first = await issuer.issue(ref(2), stash);
    const again = await issuer.issue(ref(2), stash);

    expect(again.equals(first)).toBe(true);
    expect(stash.created()).toBe(1);
    expect(regenerations()).toBe(1);
  });

  it('revokes a generation by regenerating the key it holds, once, leaving the other key', async () => {
    const one = await rotate(1);
    const two = await rotate(2, 1);

    await issuer.revoke(ref(1));
    await issuer.revoke(ref(1));

    const [first, second] = resource.keys(arm);
    expect(first).not.toBe(one);
    expect(second).toBe(two);
    expect(regenerations()).toBe(2);
  });

  it('accepts exactly the two keys the resource has now', async () => {
    const one = await rotate(1);
    const two = await rotate(2, 1);
    await issuer.revoke(ref(1));

    expect(await issuer.accepts?.(new SecretValue(two))).toBe(true);
    expect(await issuer.accepts?.(new SecretValue(one))).toBe(false);
  });

  it('cannot reactivate a generation whose key was regenerated: a non-retryable conflict that says why', async () => {
    await rotate(1);
    await rotate(2, 1);
    await issuer.revoke(ref(1));

    const failure = await issuer.reactivate(ref(1)).catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(KeyturnError);
    expect(failure).toMatchObject({ kind: 'conflict', retryable: false });
    expect((failure as Error).message).toMatch(/cannot bring back an old key value/);
  });
});

describe('azure-dual-key issuer: which key is which', () => {
  let arm: RunningArmEmulator;
  let ledger: MemoryLedger;
  let issuer: Issuer;
  let id: string;
  const keys = () => {
    const k = arm.control.storageKeys({ resourceGroup: RESOURCE_GROUP, name: 'ordersstore' });
    return [k.key1, k.key2] as const;
  };
  beforeEach(async () => {
    arm = await startArmEmulator();
    id = arm.control.seedStorageAccount({ resourceGroup: RESOURCE_GROUP, name: 'ordersstore' });
    ledger = new MemoryLedger();
    issuer = createIssuer({ kind: 'azure-dual-key', resourceId: id }, emulatorAzureContext({ arm }), ledger);
  });
  afterEach(async () => {
    await arm.stop();
  });

  it('picks the standby key by what each generation holds, not by its number (failed rotations use numbers up)', async () => {
    const [key1] = keys();
    ledger.record(1, fingerprint(key1), 'current', true);
    ledger.record(2, 'fp_of-a-failed-attempt', 'revoked');

    const three = await issuer.issue(ref(3), memoryStash());

    expect(keys()).toEqual([key1, three.reveal()]);
  });

  it('refuses to issue while both keys are in use, without regenerating either', async () => {
    const [key1, key2] = keys();
    ledger.record(1, fingerprint(key1), 'previous', true);
    ledger.record(2, fingerprint(key2), 'current', true);

    const failure = await issuer.issue(ref(3), memoryStash()).catch((e: unknown) => e);

    expect(failure).toMatchObject({ kind: 'conflict', retryable: false });
    expect((failure as Error).message).toMatch(/both keys of storage account ordersstore .* are in use/);
    expect(keys()).toEqual([key1, key2]);
  });

  it('keeps the key it adopted when the first rotation is undone: consumers had it before keyturn', async () => {
    const [key1] = keys();
    const value = await issuer.issue(ref(1), memoryStash());
    ledger.record(1, fingerprint(value.reveal()), 'pending');

    await issuer.revoke(ref(1));

    expect(keys()[0]).toBe(key1);
  });

  it('refuses to regenerate a key that a generation in use also holds', async () => {
    const [key1] = keys();
    ledger.record(1, fingerprint(key1), 'current', true);
    ledger.record(2, fingerprint(key1), 'pending');

    const failure = await issuer.revoke(ref(2)).catch((e: unknown) => e);

    expect(failure).toMatchObject({ kind: 'conflict', retryable: false });
    expect(keys()[0]).toBe(key1);
  });

  it('reactivating a generation whose key is still there changes nothing', async () => {
    const [key1] = keys();
    ledger.record(1, fingerprint(key1), 'previous', true);

    await issuer.reactivate(ref(1));

    expect(keys()[0]).toBe(key1);
  });

  it('reports a generation it has no record of as not found, so compensation can move on', async () => {
    await expect(issuer.revoke(ref(9))).rejects.toMatchObject({ kind: 'not-found', retryable: false });
  });

  it('recovers from throttling and 5xx while regenerating', async () => {
    const [key1] = keys();
    ledger.record(1, fingerprint(key1), 'current', true);
    arm.control.faults.throttle({ times: 2, match: { path: 'regenerateKey' } });
    arm.control.faults.serverError(500, { times: 1, match: { path: 'regenerateKey' } });

    const value = await issuer.issue(ref(2), memoryStash());

    expect(keys()[1]).toBe(value.reveal());
  });
});

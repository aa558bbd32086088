import { inspect } from 'node:util';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { Issuer } from '../../../src/adapters/ports';
import { SecretValue } from '../../../src/core/secret';
import { type RunningArmEmulator, startArmEmulator } from '../../emulators/arm';
import { emulatorAzureContext } from '../../support/azure';
import { SITE, SITE_ID } from './fixtures';
import { createIssuer, MemoryLedger, memoryStash, ref } from './issuers';

let arm: RunningArmEmulator;
beforeEach(async () => {
  arm = await startArmEmulator();
  arm.control.seedSite({
    ...SITE,
    kind: 'functionapp',
    hostKeys: { masterKey: 'master-key-value', functionKeys: { default: 'default-key-value' } },
    functions: { ingest: { default: 'ingest-default' } },
  });
});
afterEach(async () => {
  await arm.stop();
});

const hostIssuer = (): Issuer =>
  createIssuer(
    { kind: 'function-app-key', resourceId: SITE_ID, keyName: 'partner' },
    emulatorAzureContext({ arm }),
    new MemoryLedger(),
  );

describe('function-app-key issuer: happy path', () => {
  it('creates each generation as its own host key <keyName>-g<generation> with a value keyturn minted', async () => {
    const value = await hostIssuer().issue(ref(1), memoryStash());

    expect(value.reveal()).toMatch(/^[A-Za-z0-9_-]{54}$/);
    expect(arm.control.hostKeys(SITE).functionKeys).toEqual({
      default: 'default-key-value',
      'partner-g1': value.reveal(),
    });
  });

  it('writes nothing when issue runs again with the stashed key', async () => {
    const issuer = hostIssuer();
    const stash = memoryStash();
    await issuer.issue(ref(1), stash);
    const writes = arm.control.writes().length;

    await issuer.issue(ref(1), stash);

    expect(arm.control.writes()).toHaveLength(writes);
  });

  it('keeps the previous generation valid beside the new one, and revoking deletes only that generation', async () => {
    const issuer = hostIssuer();
    const one = await issuer.issue(ref(1), memoryStash());
    const two = await issuer.issue(ref(2), memoryStash());
    expect(await issuer.accepts?.(one)).toBe(true);

    await issuer.revoke(ref(1));
    await issuer.revoke(ref(1));

    expect(await issuer.accepts?.(one)).toBe(false);
    expect(await issuer.accepts?.(two)).toBe(true);
    expect(Object.keys(arm.control.hostKeys(SITE).functionKeys)).toEqual(['default', 'partner-g2']);
  });

  it('manages one function’s own keys with scope function', async () => {
    const issuer = createIssuer(
      {
        kind: 'function-app-key',
        resourceId: SITE_ID,
        keyName: 'partner',
        scope: 'function',
        functionName: 'ingest',
      },
      emulatorAzureContext({ arm }),
      new MemoryLedger(),
    );

    const value = await issuer.issue(ref(4), memoryStash());

    expect(arm.control.functionKeys(SITE, 'ingest')).toEqual({
      default: 'ingest-default',
      'partner-g4': value.reveal(),
    });
    expect(await issuer.accepts?.(value)).toBe(true);
    await issuer.revoke(ref(4));
    expect(arm.control.functionKeys(SITE, 'ingest')).toEqual({ default: 'ingest-default' });
  });

  it('accepts only its own generation keys, not the app’s other keys', async () => {
    expect(await hostIssuer().accepts?.(new SecretValue('master-key-value'))).toBe(false);
    expect(await hostIssuer().accepts?.(new SecretValue('default-key-value'))).toBe(false);
  });

  it('reactivating a generation whose key still exists changes nothing', async () => {
    const issuer = hostIssuer();
    await issuer.issue(ref(1), memoryStash());

    await issuer.reactivate(ref(1));

    expect(Object.keys(arm.control.hostKeys(SITE).functionKeys)).toContain('partner-g1');
  });
});

describe('function-app-key issuer: errors', () => {
  it('cannot reactivate a deleted key: a non-retryable conflict, because keyturn keeps no copy of it', async () => {
    const issuer = hostIssuer();
    await issuer.issue(ref(1), memoryStash());
    await issuer.revoke(ref(1));

    await expect(issuer.reactivate(ref(1))).rejects.toMatchObject({ kind: 'conflict', retryable: false });
  });

  it('recovers from throttling and 5xx on the key write', async () => {
    arm.control.faults.throttle({ times: 2, match: { method: 'PUT' } });
    arm.control.faults.serverError(500, { times: 1, match: { method: 'PUT' } });

    const value = await hostIssuer().issue(ref(1), memoryStash());

    expect(arm.control.hostKeys(SITE).functionKeys['partner-g1']).toBe(value.reveal());
  });

  it('fails without retry on a missing function app, naming it', async () => {
    const issuer = createIssuer(
      {
        kind: 'function-app-key',
        resourceId: SITE_ID.replace('orders-web', 'no-such-app'),
        keyName: 'partner',
      },
      emulatorAzureContext({ arm }),
      new MemoryLedger(),
    );

    const failure = await issuer.issue(ref(1), memoryStash()).catch((e: unknown) => e);

    expect(failure).toMatchObject({ kind: 'not-found', retryable: false });
    expect((failure as Error).message).toContain('no-such-app');
  });
});

describe('function-app-key issuer: security', () => {
  it('keeps the minted key out of a failed write’s error, cause included', async () => {
    arm.control.faults.inject(
      { method: 'PUT' },
      {
        kind: 'reply',
        name: 'forbidden',
        reply: { status: 403, body: { error: { code: 'AuthorizationFailed', message: 'no' } } },
      },
      Infinity,
    );
    const stash = memoryStash();

    const failure = await hostIssuer()
      .issue(ref(1), stash)
      .catch((e: unknown) => e);
    const minted = (await stash.getOrCreate(() => Promise.reject(new Error('kept')))).reveal();

    expect(failure).toMatchObject({ kind: 'forbidden', retryable: false });
    expect(inspect(failure, { depth: 20 })).not.toContain(minted);
    expect(JSON.stringify(failure)).not.toContain(minted);
  });
});

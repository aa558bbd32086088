import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { parseSecretNearExpiry } from '../../src/rotation/key-vault-events';
import { type RunningKeyVaultEmulator, startKeyVaultEmulator } from '../emulators/key-vault';
import { EMULATOR_VAULT_URL, emulatorAzureContext } from '../support/azure';
import { HOUR } from '../support/clock';
import { Harness } from '../support/harness';

const CREDENTIAL = 'orders-api-key';
const FUNCTION = 'keyVaultSecretNearExpiry';

function document() {
  return {
    version: 1,
    policies: { standard: { maxAge: 'P90D', grace: 'PT12H' } },
    issuers: { orders: { kind: 'managed', prefix: 'kord' } },
    credentials: [
      {
        id: CREDENTIAL,
        owner: 'orders-team@example.com',
        application: 'orders',
        environment: 'test',
        issuer: 'orders',
        policy: 'standard',
        // Only requests and events rotate it here, so whatever starts a rotation is the event.
        mode: 'manual',
        targets: [{ kind: 'key-vault-secret', vaultUrl: EMULATOR_VAULT_URL, name: 'orders-api-key' }],
      },
    ],
  };
}

/** A SecretNearExpiry as Event Grid delivers it (Event Grid schema, PascalCase data). */
function nearExpiry(secret: string, version: string, eventType = 'Microsoft.KeyVault.SecretNearExpiry') {
  return {
    id: `event-${version}`,
    topic:
      '/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/emulator',
    subject: secret,
    eventType,
    eventTime: '2026-03-01T10:00:00.000Z',
    dataVersion: '1',
    metadataVersion: '1',
    data: {
      Id: `${EMULATOR_VAULT_URL}/secrets/${secret}/${version}`,
      VaultName: 'emulator',
      ObjectType: 'Secret',
      ObjectName: secret,
      Version: version,
      NBF: null,
      EXP: 1_780_000_000,
    },
  };
}

describe('Key Vault SecretNearExpiry events through the local host', () => {
  let kv: RunningKeyVaultEmulator;
  let h: Harness;
  beforeEach(async () => {
    kv = await startKeyVaultEmulator();
    h = await Harness.start({ document, azure: emulatorAzureContext({ keyVault: kv }) });
    await h.api('POST', `/credentials/${CREDENTIAL}/rotate`, { reason: 'onboarding' });
    await h.drain();
  });
  afterEach(async () => {
    await h.stop();
    await kv.stop();
  });

  const latestVersion = () => kv.control.secret('orders-api-key')?.versions.at(-1)?.version ?? '';
  const deliver = (event: unknown) => h.keyturn.host.deliverEvent(FUNCTION, event);
  const rotation = async (id: string) =>
    (await h.api('GET', `/rotations/${id}`)).body as Record<string, unknown>;

  it('starts the rotation of the credential that writes the secret, recorded as triggered by the event', async () => {
    const first = kv.control.secret('orders-api-key')?.versions.at(-1)?.value;

    await deliver(nearExpiry('orders-api-key', latestVersion()));
    await h.drain();
    h.clock.advance(12 * HOUR);
    await h.drain();

    expect(await rotation(`${CREDENTIAL}.g2`)).toMatchObject({
      status: 'completed',
      trigger: 'event',
      requestedBy: 'system:event-grid',
    });
    expect(kv.control.secret('orders-api-key')?.versions.at(-1)?.value).not.toBe(first);
  });

  it('starts nothing twice when Event Grid delivers the same event again, during or after the rotation', async () => {
    const event = nearExpiry('orders-api-key', latestVersion());

    await deliver(event);
    await deliver(event);
    await h.drain();
    h.clock.advance(12 * HOUR);
    await h.drain();
    await deliver(event);
    await h.drain();

    const { state } = await h.services.credentials.getState(CREDENTIAL);
    expect(state?.lastGeneration).toBe(2);
    expect(h.logs.join('\n')).toMatch(/"outcome":"stale"/);
  });

  it('ignores, and logs, events about a secret no credential writes and events of other types', async () => {
    await deliver(nearExpiry('someone-elses-secret', 'abc'));
    await deliver(
      nearExpiry('orders-api-key', latestVersion(), 'Microsoft.KeyVault.SecretNewVersionCreated'),
    );
    await h.drain();

    const { state } = await h.services.credentials.getState(CREDENTIAL);
    expect(state?.lastGeneration).toBe(1);
    const logs = h.logs.join('\n');
    expect(logs).toMatch(/no credential writes secret someone-elses-secret in vault emulator/);
    expect(logs).toMatch(/not a SecretNearExpiry event/);
  });

  it('refuses to deliver an event to a function that Event Grid does not trigger', async () => {
    await expect(h.keyturn.host.deliverEvent('requestRotation', nearExpiry('x', 'y'))).rejects.toThrow(
      /not triggered by Event Grid/,
    );
  });
});

describe('reading SecretNearExpiry events', () => {
  it('reads camelCase data as the Event Grid SDK types spell it, and the expiry in seconds', () => {
    expect(
      parseSecretNearExpiry({
        eventType: 'Microsoft.KeyVault.SecretNearExpiry',
        data: {
          id: 'https://Orders-KV.vault.azure.net/secrets/s/v1',
          vaultName: 'Orders-KV',
          objectType: 'Secret',
          objectName: 's',
          version: 'v1',
          exp: 1_780_000_000,
        },
      }),
    ).toEqual({
      vaultName: 'orders-kv',
      vaultHost: 'orders-kv.vault.azure.net',
      secretName: 's',
      version: 'v1',
      expiresAt: new Date(1_780_000_000_000),
    });
  });

  it.each([
    ['no data', { eventType: 'Microsoft.KeyVault.SecretNearExpiry' }],
    [
      'a key, not a secret',
      {
        eventType: 'Microsoft.KeyVault.SecretNearExpiry',
        data: { ObjectType: 'Key', VaultName: 'v', ObjectName: 'k' },
      },
    ],
    ['no secret name', { eventType: 'Microsoft.KeyVault.SecretNearExpiry', data: { VaultName: 'v' } }],
    ['not an object', 'SecretNearExpiry'],
  ])('ignores an event with %s', (_name, event) => {
    expect(parseSecretNearExpiry(event)).toBeUndefined();
  });
});

import { expect } from 'vitest';

import {
  type RunningAppConfigurationEmulator,
  startAppConfigurationEmulator,
} from '../emulators/app-configuration';
import { EMULATOR_SUBSCRIPTION_ID, type RunningArmEmulator, startArmEmulator } from '../emulators/arm';
import { type RunningKeyVaultEmulator, startKeyVaultEmulator } from '../emulators/key-vault';
import { EMULATOR_STORE_URL, EMULATOR_VAULT_URL, emulatorAzureContext } from '../support/azure';
import { MINUTE } from '../support/clock';
import type { Harness } from '../support/harness';
import { expectNoOutage, holdings } from '../support/invariants';

export const RG = 'rg-orders';
export const WEB = { resourceGroup: RG, name: 'orders-web' };
export const API = { resourceGroup: RG, name: 'orders-api' };
export const STORAGE = { resourceGroup: RG, name: 'ordersstore' };
const providers = `/subscriptions/${EMULATOR_SUBSCRIPTION_ID}/resourceGroups/${RG}/providers`;
export const WEB_ID = `${providers}/Microsoft.Web/sites/${WEB.name}`;
export const API_ID = `${providers}/Microsoft.Web/sites/${API.name}`;
export const STORAGE_ID = `${providers}/Microsoft.Storage/storageAccounts/${STORAGE.name}`;
export const REFERENCE = `@Microsoft.KeyVault(SecretUri=${EMULATOR_VAULT_URL}/secrets/orders-api-key/)`;

export const MANAGED = 'orders-api-key';
export const DUAL_KEY = 'storage-key';

/** The three wire emulators, with the sites and the storage account the configuration names. */
export class AzureWorld {
  private constructor(
    readonly kv: RunningKeyVaultEmulator,
    readonly store: RunningAppConfigurationEmulator,
    readonly arm: RunningArmEmulator,
  ) {}

  static async start(): Promise<AzureWorld> {
    const [kv, store] = await Promise.all([startKeyVaultEmulator(), startAppConfigurationEmulator()]);
    const arm = await startArmEmulator({ keyVaultReferences: kv.control.referenceResolver() });
    arm.control.seedSite({ ...WEB, appSettings: { OTHER_SETTING: 'kept' } });
    arm.control.seedSite({ ...API, appSettings: { ORDERS_API_KEY: REFERENCE } });
    arm.control.seedStorageAccount(STORAGE);
    return new AzureWorld(kv, store, arm);
  }

  get azure() {
    return emulatorAzureContext({ keyVault: this.kv, appConfiguration: this.store, arm: this.arm });
  }

  /** Every key value any emulator holds or held: none may show up in logs or API answers. */
  keyValues(): string[] {
    const values = new Set<string>();
    for (const name of ['orders-api-key', 'storage-key']) {
      for (const version of this.kv.control.secret(name)?.versions ?? []) values.add(version.value);
    }
    for (const kv of this.store.control.all())
      if (kv.value && !kv.value.startsWith('{')) values.add(kv.value);
    for (const value of Object.values(this.arm.control.appSettings(WEB))) values.add(value);
    const { key1, key2 } = this.arm.control.storageKeys(STORAGE);
    values.add(key1).add(key2);
    values.delete('kept');
    values.delete('added by another team');
    return [...values].filter((v) => v.length >= 16);
  }

  async stop(): Promise<void> {
    await Promise.all([this.kv.stop(), this.store.stop(), this.arm.stop()]);
  }
}

/** Both credentials; only `focus` is rotated by the policy scan, the other waits for a request. */
export function azureDocument(focus: string) {
  const mode = (id: string) => (id === focus ? 'automatic' : 'manual');
  return {
    version: 1,
    policies: {
      standard: { maxAge: 'P30D', renewBefore: 'P7D', grace: 'PT12H', notice: 'P3D', overdueAfter: 'P1D' },
    },
    issuers: {
      orders: { kind: 'managed', prefix: 'kord' },
      storage: { kind: 'azure-dual-key', resourceId: STORAGE_ID },
    },
    credentials: [
      {
        id: MANAGED,
        owner: 'orders-team@example.com',
        application: 'orders',
        environment: 'test',
        issuer: 'orders',
        policy: 'standard',
        mode: mode(MANAGED),
        targets: [
          { kind: 'key-vault-secret', vaultUrl: EMULATOR_VAULT_URL, name: 'orders-api-key' },
          { kind: 'app-configuration', endpoint: EMULATOR_STORE_URL, key: 'Orders:ApiKey', label: 'test' },
          {
            kind: 'app-configuration',
            endpoint: EMULATOR_STORE_URL,
            key: 'Orders:ApiKeyRef',
            label: 'test',
            valueType: 'key-vault-reference',
            secret: { vaultUrl: EMULATOR_VAULT_URL, name: 'orders-api-key' },
          },
          { kind: 'app-service-settings', resourceId: WEB_ID, setting: 'ORDERS_API_KEY' },
          { kind: 'app-service-settings', resourceId: API_ID, setting: 'ORDERS_API_KEY' },
        ],
        validators: [{ kind: 'issuer' }],
      },
      {
        id: DUAL_KEY,
        owner: 'data-team@example.com',
        application: 'ingest',
        environment: 'test',
        issuer: 'storage',
        policy: 'standard',
        mode: mode(DUAL_KEY),
        targets: [
          { kind: 'key-vault-secret', vaultUrl: EMULATOR_VAULT_URL, name: 'storage-key' },
          { kind: 'app-configuration', endpoint: EMULATOR_STORE_URL, key: 'Storage:Key', label: 'test' },
          { kind: 'app-service-settings', resourceId: WEB_ID, setting: 'STORAGE_KEY' },
        ],
        validators: [{ kind: 'issuer' }],
      },
    ],
  };
}

interface RotationView {
  status: string;
  step: string;
  trigger: string;
}

export async function rotationOf(h: Harness, rotationId: string): Promise<RotationView | undefined> {
  const response = await h.api('GET', `/rotations/${rotationId}`);
  return response.status === 200 ? (response.body as RotationView) : undefined;
}

/**
 * Runs the host until `done`, checking invariant 1 for `credentialId` after every drain. The clock
 * moves a minute at a time, so activities that failed retryably get their durable retry timers.
 */
export async function settle(
  h: Harness,
  credentialId: string,
  done: () => Promise<boolean>,
  options: { checkOutage?: boolean } = {},
): Promise<void> {
  for (let round = 0; round < 60; round++) {
    while (await h.keyturn.host.tick()) {
      if (options.checkOutage ?? true) await expectNoOutage(h, credentialId);
    }
    if (await done()) return;
    h.clock.advance(MINUTE);
  }
  throw new Error(`${credentialId} did not settle`);
}

/** The rotation that made `generation` current has promoted it (its grace period runs). */
export function promoted(h: Harness, credentialId: string, generation: number) {
  return async (): Promise<boolean> =>
    (await h.services.credentials.getState(credentialId)).state?.currentGeneration === generation;
}

/** Invariant 2: once a rotation finished, no target holds a key of a revoked generation. */
export async function expectNoZombie(h: Harness, credentialId: string): Promise<void> {
  const held = new Set((await holdings(h, credentialId)).map((t) => t.fingerprint));
  const revoked = (await h.services.credentials.getGenerations(credentialId)).filter(
    (g) => g.status === 'revoked',
  );
  for (const g of revoked) {
    expect(held.has(g.fingerprint), `revoked generation ${g.generation} is held by no target`).toBe(false);
  }
}

/** Invariant 4 where the tests can look: logs and API answers carry no key value. */
export async function expectNoKeyLeak(
  h: Harness,
  world: AzureWorld,
  rotationIds: readonly string[],
): Promise<void> {
  const answers = [
    await h.api('GET', '/credentials'),
    await h.api('GET', `/credentials/${MANAGED}`),
    await h.api('GET', `/credentials/${DUAL_KEY}`),
    ...(await Promise.all(rotationIds.map((id) => h.api('GET', `/rotations/${id}`)))),
  ].map((a) => JSON.stringify(a.body));
  const logs = h.logs.join('\n');
  const values = world.keyValues();
  expect(values.length).toBeGreaterThanOrEqual(3);
  for (const value of values) {
    expect(logs.includes(value), 'a key value appears in the logs').toBe(false);
    for (const answer of answers)
      expect(answer.includes(value), 'a key value appears in an API answer').toBe(false);
  }
}

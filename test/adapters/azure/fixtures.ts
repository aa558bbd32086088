import { secretReferenceContentType } from '@azure/app-configuration';

import type { AzureContext } from '../../../src/adapters/azure/context';
import type { Target } from '../../../src/adapters/ports';
import { targetAdapters } from '../../../src/adapters/targets/registry';
import { credentialSchema, type TargetConfig } from '../../../src/config/schema';
import {
  type RunningAppConfigurationEmulator,
  startAppConfigurationEmulator,
} from '../../emulators/app-configuration';
import { EMULATOR_SUBSCRIPTION_ID, type RunningArmEmulator, startArmEmulator } from '../../emulators/arm';
import { type RunningKeyVaultEmulator, startKeyVaultEmulator } from '../../emulators/key-vault';
import type { FaultControls } from '../../emulators/shared/faults';
import type { Reply } from '../../emulators/shared/http';
import { EMULATOR_STORE_URL, EMULATOR_VAULT_URL, emulatorAzureContext } from '../../support/azure';
import { ManualClock } from '../../support/clock';
import type { TargetFaults, TargetFixture } from '../contract';

export const RESOURCE_GROUP = 'rg-keyturn';
export const SITE = { resourceGroup: RESOURCE_GROUP, name: 'orders-web' };
export const SITE_ID = `/subscriptions/${EMULATOR_SUBSCRIPTION_ID}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.Web/sites/${SITE.name}`;
export const STATIC_SITE = { resourceGroup: RESOURCE_GROUP, name: 'orders-portal' };
export const STATIC_SITE_ID = `/subscriptions/${EMULATOR_SUBSCRIPTION_ID}/resourceGroups/${RESOURCE_GROUP}/providers/Microsoft.Web/staticSites/${STATIC_SITE.name}`;
export const SECRET = 'orders-api-key';
export const SETTING = 'ORDERS_API_KEY';
export const KEY = 'Orders:ApiKey';
export const LABEL = 'test';
export const REFERENCE = `@Microsoft.KeyVault(SecretUri=${EMULATOR_VAULT_URL}/secrets/${SECRET}/)`;

/** A target built as the engine builds it: its configuration parsed by the credential schema first. */
export function createTarget(
  config: Record<string, unknown>,
  azure: AzureContext,
  clock = new ManualClock(),
): Target {
  const credential = credentialSchema.parse({
    id: 'orders-api-key',
    owner: 'orders-team@example.com',
    application: 'orders',
    environment: 'test',
    issuer: 'orders',
    policy: 'standard',
    targets: [config],
  });
  const parsed = credential.targets[0] as TargetConfig;
  const adapter = targetAdapters[parsed.kind] as {
    create(c: TargetConfig, d: { baseDir: string; clock: ManualClock; azure: AzureContext }): Target;
  };
  return adapter.create(parsed, { baseDir: process.cwd(), clock, azure });
}

/** Faults in every emulator the target talks to, each in its service's shape. */
function faultsOf(emulators: readonly { faults: FaultControls; forbidden: Reply }[]): TargetFaults {
  return {
    throttle({ times, retryAfterSeconds }) {
      for (const { faults } of emulators) {
        faults.throttle({ times, retryAfterSeconds, retryAfterMs: retryAfterSeconds * 1000 });
      }
    },
    serverError({ times }) {
      for (const { faults } of emulators) faults.serverError(500, { times });
    },
    forbid() {
      for (const { faults, forbidden } of emulators) {
        faults.inject({}, { kind: 'reply', reply: forbidden, name: 'forbidden' }, Infinity);
      }
    },
  };
}

const KEY_VAULT_FORBIDDEN: Reply = {
  status: 403,
  body: {
    error: {
      code: 'Forbidden',
      message: 'Caller is not authorized to perform action on resource.',
      innererror: { code: 'ForbiddenByRbac' },
    },
  },
};
const APP_CONFIGURATION_FORBIDDEN: Reply = { status: 403 };
const ARM_FORBIDDEN: Reply = {
  status: 403,
  body: {
    error: {
      code: 'AuthorizationFailed',
      message: 'The client does not have authorization to perform this action or the scope is invalid.',
    },
  },
};

export async function keyVaultSecretFixture(): Promise<TargetFixture & { kv: RunningKeyVaultEmulator }> {
  const kv = await startKeyVaultEmulator();
  const target = createTarget(
    { kind: 'key-vault-secret', vaultUrl: EMULATOR_VAULT_URL, name: SECRET },
    emulatorAzureContext({ keyVault: kv }),
  );
  return {
    kv,
    target,
    resourceName: SECRET,
    writeMarker: () => String(kv.control.writes(SECRET).length),
    seed: (value) => {
      kv.control.seedSecret(SECRET, value);
    },
    faults: faultsOf([{ faults: kv.control.faults, forbidden: KEY_VAULT_FORBIDDEN }]),
    stop: () => kv.stop(),
  };
}

export async function appConfigurationFixture(): Promise<
  TargetFixture & { store: RunningAppConfigurationEmulator }
> {
  const store = await startAppConfigurationEmulator();
  const target = createTarget(
    { kind: 'app-configuration', endpoint: EMULATOR_STORE_URL, key: KEY, label: LABEL },
    emulatorAzureContext({ appConfiguration: store }),
  );
  return {
    store,
    target,
    resourceName: KEY,
    writeMarker: () => String(store.control.writes({ key: KEY, label: LABEL }).length),
    seed: (value) => {
      store.control.seed({ key: KEY, label: LABEL, value });
    },
    faults: faultsOf([{ faults: store.control.faults, forbidden: APP_CONFIGURATION_FORBIDDEN }]),
    stop: () => store.stop(),
  };
}

export async function appConfigurationReferenceFixture(): Promise<
  TargetFixture & { store: RunningAppConfigurationEmulator; kv: RunningKeyVaultEmulator }
> {
  const [store, kv] = await Promise.all([startAppConfigurationEmulator(), startKeyVaultEmulator()]);
  const target = createTarget(
    {
      kind: 'app-configuration',
      endpoint: EMULATOR_STORE_URL,
      key: KEY,
      label: LABEL,
      valueType: 'key-vault-reference',
      secret: { vaultUrl: EMULATOR_VAULT_URL, name: SECRET },
    },
    emulatorAzureContext({ appConfiguration: store, keyVault: kv }),
  );
  return {
    store,
    kv,
    target,
    // The key goes into the secret first, so that is what a failure names.
    resourceName: SECRET,
    writeMarker: () => `${store.control.writes().length}/${kv.control.writes().length}`,
    seed: (value) => {
      kv.control.seedSecret(SECRET, value);
      store.control.seed({
        key: KEY,
        label: LABEL,
        value: JSON.stringify({ uri: `${EMULATOR_VAULT_URL}/secrets/${SECRET}` }),
        contentType: secretReferenceContentType,
      });
    },
    faults: faultsOf([
      { faults: store.control.faults, forbidden: APP_CONFIGURATION_FORBIDDEN },
      { faults: kv.control.faults, forbidden: KEY_VAULT_FORBIDDEN },
    ]),
    stop: async () => {
      await Promise.all([store.stop(), kv.stop()]);
    },
  };
}

type SiteKind = 'site' | 'slot' | 'static-site';

export async function appServiceFixture(
  kind: SiteKind,
): Promise<TargetFixture & { arm: RunningArmEmulator; resourceId: string }> {
  const arm = await startArmEmulator();
  const others = { OTHER_SETTING: 'kept' };
  const seedWith = (settings: Record<string, string>) => {
    if (kind === 'static-site') arm.control.seedStaticSite({ ...STATIC_SITE, appSettings: settings });
    else if (kind === 'slot')
      arm.control.seedSite({ ...SITE, slots: { staging: { appSettings: settings } } });
    else arm.control.seedSite({ ...SITE, appSettings: settings });
  };
  seedWith(others);
  const resourceId =
    kind === 'static-site' ? STATIC_SITE_ID : kind === 'slot' ? `${SITE_ID}/slots/staging` : SITE_ID;
  const target = createTarget(
    { kind: 'app-service-settings', resourceId, setting: SETTING },
    emulatorAzureContext({ arm }),
  );
  return {
    arm,
    resourceId,
    target,
    resourceName: kind === 'static-site' ? STATIC_SITE.name : SITE.name,
    writeMarker: () => String(arm.control.writes(resourceId).length),
    seed: (value) => {
      seedWith({ ...others, [SETTING]: value });
    },
    faults: faultsOf([{ faults: arm.control.faults, forbidden: ARM_FORBIDDEN }]),
    stop: () => arm.stop(),
  };
}

export async function appServiceReferenceFixture(): Promise<
  TargetFixture & { arm: RunningArmEmulator; kv: RunningKeyVaultEmulator }
> {
  const kv = await startKeyVaultEmulator();
  const arm = await startArmEmulator({ keyVaultReferences: kv.control.referenceResolver() });
  arm.control.seedSite({ ...SITE, appSettings: { OTHER_SETTING: 'kept', [SETTING]: REFERENCE } });
  const target = createTarget(
    { kind: 'app-service-settings', resourceId: SITE_ID, setting: SETTING },
    emulatorAzureContext({ arm, keyVault: kv }),
  );
  return {
    arm,
    kv,
    target,
    resourceName: SITE.name,
    writeMarker: () => `${arm.control.writes(SITE_ID).length}/${kv.control.writes().length}`,
    seed: (value) => {
      kv.control.seedSecret(SECRET, value);
      // What App Service's periodic re-read would do.
      arm.control.refetchKeyVaultReferences(SITE);
    },
    faults: faultsOf([
      { faults: arm.control.faults, forbidden: ARM_FORBIDDEN },
      { faults: kv.control.faults, forbidden: KEY_VAULT_FORBIDDEN },
    ]),
    stop: async () => {
      await Promise.all([arm.stop(), kv.stop()]);
    },
  };
}

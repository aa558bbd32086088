import type { WriteJournal, WriteRecord } from '../shared/journal';
import type { RequestRecord } from '../shared/server';
import type { ArmFaults } from './faults';
import { newEntityTag } from './keys';
import {
  type ApimSubscriptionRef,
  findStaticSettings,
  findWebApp,
  type KeyVaultReferenceStatus,
  refKey,
  resourceId,
  type ResourceRef,
  type SeedSite,
  type SeedStaticSite,
  type SeedWebApp,
  type StaticSiteRef,
  type WebAppRef,
} from './refs';
import {
  type ApimSubscriptionState,
  ArmStore,
  EMULATOR_SUBSCRIPTION_ID,
  functionKey,
  hexKey,
  type HostKeysState,
  newWebApp,
  type SettingsPair,
  type SiteState,
  type StaticSiteState,
  storageKey,
  type WebAppState,
} from './store';
import { staticSiteSettings } from './web';

export interface ArmControl {
  seedSite(seed: SeedSite): string;
  seedStaticSite(seed: SeedStaticSite): string;
  seedStorageAccount(seed: ResourceRef & { key1?: string; key2?: string }): string;
  seedCognitiveAccount(seed: ResourceRef & { key1?: string; key2?: string }): string;
  seedApimSubscription(
    seed: ApimSubscriptionRef & {
      displayName?: string;
      scope?: string;
      state?: string;
      primaryKey?: string;
      secondaryKey?: string;
    },
  ): string;
  appSettings(ref: WebAppRef): Record<string, string>;
  /** Settings as the running app sees them: Key Vault references replaced by the values last resolved. */
  effectiveAppSettings(ref: WebAppRef): Record<string, string>;
  keyVaultReferences(ref: WebAppRef): Record<string, KeyVaultReferenceStatus>;
  /** The platform's periodic (about 24 h) re-fetch of Key Vault references, on demand. */
  refetchKeyVaultReferences(ref: WebAppRef): void;
  restarts(ref: WebAppRef): number;
  referenceRefreshes(ref: WebAppRef): number;
  hostKeys(ref: WebAppRef): HostKeysState;
  functionKeys(ref: WebAppRef, functionName: string): Record<string, string>;
  staticSiteSettings(ref: StaticSiteRef): SettingsPair;
  storageKeys(ref: ResourceRef): { key1: string; key2: string };
  cognitiveKeys(ref: ResourceRef): { key1: string; key2: string };
  apimSubscriptionKeys(ref: ApimSubscriptionRef): { primaryKey: string; secondaryKey: string };
  /** Client writes whose ARM resource id starts with `resourceIdPrefix` (case-insensitive), or all. */
  writes(resourceIdPrefix?: string): WriteRecord[];
  requests(): readonly RequestRecord[];
  readonly faults: ArmFaults;
}

/** The in-process control API over the emulator's state. */
export function createArmControl(
  store: ArmStore,
  journal: WriteJournal,
  requests: () => readonly RequestRecord[],
  faults: ArmFaults,
): ArmControl {
  return {
    seedSite(seed) {
      const subscriptionId = seed.subscriptionId ?? EMULATOR_SUBSCRIPTION_ID;
      const id = resourceId(subscriptionId, seed.resourceGroup, 'Microsoft.Web/sites', seed.name);
      const site: SiteState = {
        ...newWebApp(id, seed.name),
        subscriptionId,
        resourceGroup: seed.resourceGroup,
        kind: seed.kind ?? 'app',
        location: seed.location ?? 'East US',
        slots: new Map(),
      };
      applySeed(site, seed);
      for (const [slotName, slotSeed] of Object.entries(seed.slots ?? {})) {
        const slot = newWebApp(`${id}/slots/${slotName}`, seed.name, slotName);
        applySeed(slot, slotSeed);
        site.slots.set(slotName.toLowerCase(), slot);
      }
      store.addGroup(subscriptionId, seed.resourceGroup);
      store.sites.set(ArmStore.key(subscriptionId, seed.resourceGroup, seed.name), site);
      for (const app of [site, ...site.slots.values()]) {
        store.resolveReferences(app);
      }
      return id;
    },
    seedStaticSite(seed) {
      const subscriptionId = seed.subscriptionId ?? EMULATOR_SUBSCRIPTION_ID;
      const id = resourceId(subscriptionId, seed.resourceGroup, 'Microsoft.Web/staticSites', seed.name);
      const site: StaticSiteState = {
        id,
        name: seed.name,
        location: seed.location ?? 'East US 2',
        appSettings: { ...seed.appSettings },
        functionAppSettings: { ...seed.functionAppSettings },
        builds: new Map(
          Object.entries(seed.environments ?? {}).map(([name, settings]) => [
            name.toLowerCase(),
            {
              name,
              appSettings: { ...settings.appSettings },
              functionAppSettings: { ...settings.functionAppSettings },
            },
          ]),
        ),
      };
      store.addGroup(subscriptionId, seed.resourceGroup);
      store.staticSites.set(ArmStore.key(subscriptionId, seed.resourceGroup, seed.name), site);
      return id;
    },
    seedStorageAccount(seed) {
      const subscriptionId = seed.subscriptionId ?? EMULATOR_SUBSCRIPTION_ID;
      const id = resourceId(
        subscriptionId,
        seed.resourceGroup,
        'Microsoft.Storage/storageAccounts',
        seed.name,
      );
      const now = new Date();
      store.addGroup(subscriptionId, seed.resourceGroup);
      store.storageAccounts.set(ArmStore.key(subscriptionId, seed.resourceGroup, seed.name), {
        id,
        name: seed.name,
        keys: {
          key1: { value: seed.key1 ?? storageKey(), creationTime: now },
          key2: { value: seed.key2 ?? storageKey(), creationTime: now },
        },
      });
      return id;
    },
    seedCognitiveAccount(seed) {
      const subscriptionId = seed.subscriptionId ?? EMULATOR_SUBSCRIPTION_ID;
      const id = resourceId(
        subscriptionId,
        seed.resourceGroup,
        'Microsoft.CognitiveServices/accounts',
        seed.name,
      );
      store.addGroup(subscriptionId, seed.resourceGroup);
      store.cognitiveAccounts.set(ArmStore.key(subscriptionId, seed.resourceGroup, seed.name), {
        id,
        name: seed.name,
        key1: seed.key1 ?? hexKey(),
        key2: seed.key2 ?? hexKey(),
      });
      return id;
    },
    seedApimSubscription(seed) {
      const subscriptionId = seed.subscriptionId ?? EMULATOR_SUBSCRIPTION_ID;
      const serviceId = resourceId(
        subscriptionId,
        seed.resourceGroup,
        'Microsoft.ApiManagement/service',
        seed.serviceName,
      );
      const key = ArmStore.key(subscriptionId, seed.resourceGroup, seed.serviceName);
      const subscriptions = store.apimServices.get(key) ?? new Map<string, ApimSubscriptionState>();
      const id = `${serviceId}/subscriptions/${seed.sid}`;
      subscriptions.set(seed.sid.toLowerCase(), {
        id,
        sid: seed.sid,
        displayName: seed.displayName ?? seed.sid,
        scope: seed.scope ?? `${serviceId}/apis`,
        state: seed.state ?? 'active',
        primaryKey: seed.primaryKey ?? hexKey(),
        secondaryKey: seed.secondaryKey ?? hexKey(),
        createdDate: new Date(),
        etag: newEntityTag(),
      });
      store.addGroup(subscriptionId, seed.resourceGroup);
      store.apimServices.set(key, subscriptions);
      return id;
    },
    appSettings: (ref) => ({ ...findWebApp(store, ref).appSettings }),
    effectiveAppSettings(ref) {
      const app = findWebApp(store, ref);
      return Object.fromEntries(
        Object.entries(app.appSettings).map(([name, value]) => {
          const resolution = app.resolved.get(name)?.resolution;
          return [name, resolution?.status === 'Resolved' ? resolution.value : value];
        }),
      );
    },
    keyVaultReferences(ref) {
      const app = findWebApp(store, ref);
      return Object.fromEntries(
        [...app.resolved.entries()].map(([name, entry]) => [
          name,
          {
            status: entry.resolution.status,
            ...(entry.resolution.status === 'Resolved' ? { activeVersion: entry.resolution.version } : {}),
          },
        ]),
      );
    },
    refetchKeyVaultReferences(ref) {
      store.resolveReferences(findWebApp(store, ref));
    },
    restarts: (ref) => findWebApp(store, ref).restarts,
    referenceRefreshes: (ref) => findWebApp(store, ref).referenceRefreshes,
    hostKeys(ref) {
      const keys = findWebApp(store, ref).hostKeys;
      return {
        masterKey: keys.masterKey,
        functionKeys: { ...keys.functionKeys },
        systemKeys: { ...keys.systemKeys },
      };
    },
    functionKeys(ref, functionName) {
      const fn = findWebApp(store, ref).functions.get(functionName.toLowerCase());
      if (!fn) {
        throw new Error(`no function ${functionName} on ${ref.name}`);
      }
      return { ...fn.keys };
    },
    staticSiteSettings: (ref) => staticSiteSettings(findStaticSettings(store, ref).target),
    storageKeys(ref) {
      const account = store.storageAccounts.get(refKey(ref));
      if (!account) {
        throw new Error(`no storage account ${ref.name}`);
      }
      return { key1: account.keys.key1.value, key2: account.keys.key2.value };
    },
    cognitiveKeys(ref) {
      const account = store.cognitiveAccounts.get(refKey(ref));
      if (!account) {
        throw new Error(`no Cognitive Services account ${ref.name}`);
      }
      return { key1: account.key1, key2: account.key2 };
    },
    apimSubscriptionKeys(ref) {
      const subscription = store.apimServices
        .get(refKey({ ...ref, name: ref.serviceName }))
        ?.get(ref.sid.toLowerCase());
      if (!subscription) {
        throw new Error(`no API Management subscription ${ref.sid}`);
      }
      return { primaryKey: subscription.primaryKey, secondaryKey: subscription.secondaryKey };
    },
    writes: (prefix) =>
      journal.clientWrites(
        prefix === undefined
          ? undefined
          : (resource) => resource.toLowerCase().startsWith(prefix.toLowerCase()),
      ),
    requests: () => [...requests()],
    faults,
  };
}

function applySeed(app: WebAppState, seed: SeedWebApp): void {
  app.appSettings = { ...seed.appSettings };
  app.hostKeys = {
    masterKey: seed.hostKeys?.masterKey ?? app.hostKeys.masterKey,
    functionKeys: { ...(seed.hostKeys?.functionKeys ?? app.hostKeys.functionKeys) },
    systemKeys: { ...(seed.hostKeys?.systemKeys ?? app.hostKeys.systemKeys) },
  };
  for (const [name, keys] of Object.entries(seed.functions ?? {})) {
    app.functions.set(name.toLowerCase(), { name, keys: { default: functionKey(), ...keys } });
  }
}

import {
  ArmStore,
  EMULATOR_SUBSCRIPTION_ID,
  type HostKeysState,
  type SettingsPair,
  type WebAppState,
} from './store';

/** A site, or one of its slots when `slot` is given. */
export interface WebAppRef {
  readonly subscriptionId?: string;
  readonly resourceGroup: string;
  readonly name: string;
  readonly slot?: string;
}

export interface StaticSiteRef {
  readonly subscriptionId?: string;
  readonly resourceGroup: string;
  readonly name: string;
  /** A named environment (`builds/{environmentName}`); the production settings when omitted. */
  readonly environment?: string;
}

export interface ResourceRef {
  readonly subscriptionId?: string;
  readonly resourceGroup: string;
  readonly name: string;
}

export interface ApimSubscriptionRef {
  readonly subscriptionId?: string;
  readonly resourceGroup: string;
  readonly serviceName: string;
  readonly sid: string;
}

export interface SeedWebApp {
  readonly appSettings?: Record<string, string>;
  readonly hostKeys?: Partial<HostKeysState>;
  /** Function name → its keys. */
  readonly functions?: Record<string, Record<string, string>>;
}

export interface SeedSite extends ResourceRef, SeedWebApp {
  /** `app` (default), `functionapp`, `functionapp,linux`, ... */
  readonly kind?: string;
  readonly location?: string;
  readonly slots?: Record<string, SeedWebApp>;
}

export interface SeedStaticSite extends ResourceRef, Partial<SettingsPair> {
  readonly location?: string;
  readonly environments?: Record<string, Partial<SettingsPair>>;
}

export interface KeyVaultReferenceStatus {
  readonly status: string;
  readonly activeVersion?: string;
}

export function resourceId(
  subscriptionId: string,
  resourceGroup: string,
  type: string,
  name: string,
): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/${type}/${name}`;
}

export function refKey(ref: ResourceRef): string {
  return ArmStore.key(ref.subscriptionId ?? EMULATOR_SUBSCRIPTION_ID, ref.resourceGroup, ref.name);
}

export function findWebApp(store: ArmStore, ref: WebAppRef): WebAppState {
  const site = store.sites.get(refKey(ref));
  if (!site) {
    throw new Error(`no site ${ref.name} in ${ref.resourceGroup}`);
  }
  if (ref.slot === undefined) {
    return site;
  }
  const slot = site.slots.get(ref.slot.toLowerCase());
  if (!slot) {
    throw new Error(`no slot ${ref.slot} on ${ref.name}`);
  }
  return slot;
}

export function findStaticSettings(
  store: ArmStore,
  ref: StaticSiteRef,
): { target: SettingsPair; base: string } {
  const site = store.staticSites.get(refKey(ref));
  if (!site) {
    throw new Error(`no static site ${ref.name} in ${ref.resourceGroup}`);
  }
  if (ref.environment === undefined) {
    return { target: site, base: site.id };
  }
  const build = site.builds.get(ref.environment.toLowerCase());
  if (!build) {
    throw new Error(`no environment ${ref.environment} on ${ref.name}`);
  }
  return { target: build, base: `${site.id}/builds/${build.name}` };
}

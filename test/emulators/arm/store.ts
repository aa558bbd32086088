import { randomBytes } from 'node:crypto';

import type { WriteJournal, WriteRecord } from '../shared/journal';
import {
  type KeyVaultReference,
  type KeyVaultReferenceResolver,
  parseKeyVaultReference,
  type ReferenceResolution,
} from '../shared/references';

/** The subscription used when a seed does not name one. */
export const EMULATOR_SUBSCRIPTION_ID = '11111111-2222-3333-4444-555555555555';

export interface HostKeysState {
  masterKey: string;
  functionKeys: Record<string, string>;
  systemKeys: Record<string, string>;
}

/** How App Service resolved one Key Vault reference the last time it (re)started or refreshed. */
export interface ResolvedReference {
  readonly reference: string;
  readonly parsed?: KeyVaultReference;
  readonly resolution: ReferenceResolution | { readonly status: 'InvalidSyntax' };
}

/** A site (web app or function app) or one of its deployment slots. */
export interface WebAppState {
  /** ARM id of the site or slot. */
  readonly id: string;
  readonly siteName: string;
  readonly slot?: string;
  appSettings: Record<string, string>;
  hostKeys: HostKeysState;
  /** Function name (lower case) → its keys. */
  readonly functions: Map<string, { readonly name: string; keys: Record<string, string> }>;
  restarts: number;
  referenceRefreshes: number;
  resolved: Map<string, ResolvedReference>;
}

export interface SiteState extends WebAppState {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly kind: string;
  readonly location: string;
  readonly slots: Map<string, WebAppState>;
}

export interface SettingsPair {
  appSettings: Record<string, string>;
  functionAppSettings: Record<string, string>;
}

export interface StaticSiteState extends SettingsPair {
  readonly id: string;
  readonly name: string;
  readonly location: string;
  /** Environment name (lower case) → its settings. */
  readonly builds: Map<string, SettingsPair & { readonly name: string }>;
}

export interface StoredKey {
  value: string;
  creationTime: Date;
}

export interface StorageAccountState {
  readonly id: string;
  readonly name: string;
  readonly keys: { key1: StoredKey; key2: StoredKey };
}

export interface CognitiveAccountState {
  readonly id: string;
  readonly name: string;
  key1: string;
  key2: string;
}

export interface ApimSubscriptionState {
  readonly id: string;
  readonly sid: string;
  displayName: string;
  scope: string;
  state: string;
  primaryKey: string;
  secondaryKey: string;
  readonly createdDate: Date;
  etag: string;
}

export type ResourceKind = 'site' | 'staticSite' | 'storageAccount' | 'cognitiveAccount' | 'apimService';

/** Everything the ARM emulator knows, keyed case-insensitively as ARM is. */
export class ArmStore {
  readonly sites = new Map<string, SiteState>();
  readonly staticSites = new Map<string, StaticSiteState>();
  readonly storageAccounts = new Map<string, StorageAccountState>();
  readonly cognitiveAccounts = new Map<string, CognitiveAccountState>();
  /** APIM service key → subscriptions by lower-case sid. */
  readonly apimServices = new Map<string, Map<string, ApimSubscriptionState>>();
  private readonly groups = new Set<string>();

  constructor(
    readonly journal: WriteJournal,
    readonly resolver: KeyVaultReferenceResolver | undefined,
  ) {}

  static key(subscriptionId: string, resourceGroup: string, name: string): string {
    return `${subscriptionId}/${resourceGroup}/${name}`.toLowerCase();
  }

  addGroup(subscriptionId: string, resourceGroup: string): void {
    this.groups.add(`${subscriptionId}/${resourceGroup}`.toLowerCase());
  }

  hasGroup(subscriptionId: string, resourceGroup: string): boolean {
    return this.groups.has(`${subscriptionId}/${resourceGroup}`.toLowerCase());
  }

  hasSubscription(subscriptionId: string): boolean {
    const prefix = `${subscriptionId.toLowerCase()}/`;
    return [...this.groups].some((group) => group.startsWith(prefix));
  }

  record(resource: string, operation: string, by: WriteRecord['by']): void {
    this.journal.record(resource, operation, by);
  }

  /** Re-reads every Key Vault reference of an app, as App Service does on restart or refresh. */
  resolveReferences(app: WebAppState): void {
    const resolved = new Map<string, ResolvedReference>();
    for (const [name, value] of Object.entries(app.appSettings)) {
      const parsed = parseKeyVaultReference(value);
      if (parsed === undefined) {
        continue;
      }
      if (parsed === 'invalid') {
        resolved.set(name, { reference: value, resolution: { status: 'InvalidSyntax' } });
        continue;
      }
      const resolution: ReferenceResolution = this.resolver
        ? this.resolver(parsed)
        : { status: 'VaultNotFound', details: 'No Key Vault emulator is wired to this ARM emulator.' };
      resolved.set(name, { reference: value, parsed, resolution });
    }
    app.resolved = resolved;
  }
}

export function newWebApp(id: string, siteName: string, slot?: string): WebAppState {
  return {
    id,
    siteName,
    ...(slot === undefined ? {} : { slot }),
    appSettings: {},
    hostKeys: { masterKey: functionKey(), functionKeys: { default: functionKey() }, systemKeys: {} },
    functions: new Map(),
    restarts: 0,
    referenceRefreshes: 0,
    resolved: new Map(),
  };
}

/** A Functions-style key: 40 random bytes, base64. */
export function functionKey(): string {
  return randomBytes(40).toString('base64');
}

/** A storage account key: 64 random bytes, base64. */
export function storageKey(): string {
  return randomBytes(64).toString('base64');
}

/** A 32-hex-character key as Cognitive Services and API Management issue. */
export function hexKey(): string {
  return randomBytes(16).toString('hex');
}

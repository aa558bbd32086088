import { KeyturnError } from '../../../core/errors';
import { KeyedQueue } from '../../../core/keyed-queue';
import { SecretValue } from '../../../core/secret';
import type { SecretUri } from '../../azure/endpoints';
import type { SecretResolver } from '../../azure/secret-reference';
import type { RetiredKey, RotationContext, Target, TargetSnapshot, WriteResult } from '../../ports';
import type { KeyVaultSecretTarget } from '../key-vault-secret/target';
import { parseAppServiceReference } from './reference';
import type { AppSettingsApi } from './settings-api';

/** One read-modify-write at a time per settings collection within this process. */
const collections = new KeyedQueue();

/** Reading back and finding our setting dropped by another writer makes us start over this often. */
const MAX_ATTEMPTS = 5;

type Settings = Readonly<Record<string, string>>;

export interface KeyVaultAccess {
  /** The secret a reference setting points at, as a target that writes new versions. */
  secret(address: SecretUri): KeyVaultSecretTarget;
  resolve: SecretResolver;
  /** Vaults of this cloud end with it; references elsewhere are refused. */
  readonly dnsSuffix: string;
}

/**
 * One application setting of a Web App, Function App, slot or Static Web App.
 *
 * ARM offers only a full replace of the settings collection, without an ETag. The target reads,
 * changes its own setting and nothing else, writes, and reads again: if another writer's stale
 * write dropped our change, it starts over from what that writer left, so their change is kept
 * too. (A change made in the instant between our read and our write cannot be seen by anyone:
 * App Service has no precondition to detect it. The Azure CLI and portal share that limit.)
 *
 * A setting that is a versionless Key Vault reference is not overwritten: the key goes into the
 * referenced secret as a new version, and the app is told to re-read its references now.
 */
export class AppServiceSettingsTarget implements Target {
  readonly kind = 'app-service-settings';
  readonly id: string;
  readonly #api: AppSettingsApi;
  readonly #setting: string;
  readonly #vault: KeyVaultAccess;
  readonly #label: string;

  constructor(api: AppSettingsApi, resourceId: string, setting: string, vault: KeyVaultAccess) {
    this.#api = api;
    this.#setting = setting;
    this.#vault = vault;
    this.id = `app-service-settings:${resourceId}#${setting}`;
    this.#label = `setting ${setting} in the ${api.resource}`;
  }

  /** What the app sees: the setting's value, or the secret version its reference resolved to. */
  async read(): Promise<TargetSnapshot> {
    const current = (await this.#api.list())[this.#setting];
    if (current === undefined) return { state: 'absent', detail: { setting: 'missing' } };
    const reference = this.#referenceIn(current);
    if (reference === undefined)
      return { state: 'present', value: new SecretValue(current), detail: { form: 'plain' } };
    const resolved = reference === 'invalid' ? undefined : await this.#resolvedByApp(reference);
    if (!resolved) return { state: 'absent', detail: { form: 'reference', setting: 'unresolved-reference' } };
    return {
      state: 'present',
      value: resolved.value,
      ...(resolved.version !== undefined && { version: resolved.version }),
      detail: { form: 'reference' },
    };
  }

  async write(value: SecretValue, context: RotationContext): Promise<WriteResult> {
    return collections.run(this.#api.resource, async () => {
      const current = (await this.#api.list())[this.#setting];
      const reference = current === undefined ? undefined : this.#referenceIn(current);
      if (reference !== undefined) return this.#writeThrough(this.#usable(reference), value, context);
      return this.#merge(
        'write',
        (settings) => (settings[this.#setting] === value.reveal() ? undefined : value.reveal()),
        [value],
      );
    });
  }

  async restore(snapshot: TargetSnapshot, context: RotationContext): Promise<WriteResult> {
    return collections.run(this.#api.resource, async () => {
      if (snapshot.detail?.['form'] === 'reference') {
        const current = (await this.#api.list())[this.#setting];
        const reference = current === undefined ? undefined : this.#referenceIn(current);
        // Still a reference: the secret gets back what it held (nothing, for an absent snapshot).
        if (reference === undefined || reference === 'invalid' || !this.#inCloud(reference)) {
          return { written: false };
        }
        const secret = this.#vault.secret(reference);
        const restored = await secret.restore(snapshot, context);
        const refreshed = await this.#refreshIfStale(secret);
        return { written: restored.written || refreshed };
      }
      if (snapshot.state === 'present') {
        const value = snapshot.value.reveal();
        return this.#merge('restore', (settings) => (settings[this.#setting] === value ? undefined : value), [
          snapshot.value,
        ]);
      }
      return this.#merge('restore', (settings) => (this.#setting in settings ? null : undefined));
    });
  }

  async retire(key: RetiredKey): Promise<void> {
    const current = (await this.#api.list())[this.#setting];
    const reference = current === undefined ? undefined : this.#referenceIn(current);
    if (reference !== undefined && reference !== 'invalid' && this.#inCloud(reference)) {
      await this.#vault.secret(reference).retire(key);
    }
  }

  /**
   * Read, change our setting (`edit` returns its new value, null to remove it, undefined when it
   * is already right), write the whole collection, then read back to check our change survived.
   */
  async #merge(
    action: 'write' | 'restore',
    edit: (settings: Settings) => string | null | undefined,
    secrets: readonly SecretValue[] = [],
  ): Promise<WriteResult> {
    let written = false;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const settings = await this.#api.list();
      const next = edit(settings);
      if (next === undefined) return { written };
      const updated: Record<string, string> = { ...settings };
      if (next === null) {
        // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- settings are a plain name → value map
        delete updated[this.#setting];
      } else {
        updated[this.#setting] = next;
      }
      await this.#api.replace(updated, secrets);
      written = true;
      if (edit(await this.#api.list()) === undefined) return { written };
    }
    throw new KeyturnError(
      'conflict',
      `Cannot ${action} ${this.#label}: another writer kept replacing the settings (${MAX_ATTEMPTS} attempts).`,
      { retryable: true, details: { resource: this.#api.resource, setting: this.#setting } },
    );
  }

  /** Writes the key into the referenced secret, then makes the app resolve the new version. */
  async #writeThrough(
    reference: SecretUri,
    value: SecretValue,
    context: RotationContext,
  ): Promise<WriteResult> {
    const secret = this.#vault.secret(reference);
    const { written } = await secret.write(value, context);
    const refreshed = await this.#refreshIfStale(secret);
    const resolved = await this.#resolvedByApp(reference);
    if (!resolved?.value.equals(value)) {
      throw new KeyturnError(
        'unavailable',
        `The ${this.#label} is a Key Vault reference that does not resolve to the new key yet (after a refresh).`,
        { retryable: true, details: { resource: this.#api.resource, setting: this.#setting } },
      );
    }
    return { written: written || refreshed };
  }

  /** Refreshes the app's references unless it already resolved the secret's latest version. */
  async #refreshIfStale(secret: KeyVaultSecretTarget): Promise<boolean> {
    const latest = await secret.read();
    const status = await this.#api.referenceStatus?.(this.#setting);
    if (
      status?.status === 'Resolved' &&
      latest.state === 'present' &&
      status.activeVersion === latest.version
    ) {
      return false;
    }
    if (!this.#api.refreshReferences) return false;
    await this.#api.refreshReferences();
    return true;
  }

  async #resolvedByApp(
    reference: SecretUri,
  ): Promise<{ value: SecretValue; version: string | undefined } | undefined> {
    if (!this.#inCloud(reference)) return undefined;
    if (reference.version !== undefined) return this.#vault.resolve(reference);
    const status = await this.#api.referenceStatus?.(this.#setting);
    if (status?.status !== 'Resolved' || status.activeVersion === undefined) return undefined;
    return this.#vault.resolve({ ...reference, version: status.activeVersion });
  }

  /** References exist in sites and slots; static site settings are always taken literally. */
  #referenceIn(value: string): SecretUri | 'invalid' | undefined {
    if (!this.#api.referenceStatus) return undefined;
    return parseAppServiceReference(value, this.#vault.dnsSuffix);
  }

  #inCloud(reference: SecretUri): boolean {
    return new URL(reference.vaultUrl).hostname.toLowerCase().endsWith(`.${this.#vault.dnsSuffix}`);
  }

  #usable(reference: SecretUri | 'invalid'): SecretUri {
    const problem =
      reference === 'invalid'
        ? 'is a Key Vault reference App Service cannot resolve'
        : reference.version !== undefined
          ? `is a Key Vault reference pinned to version ${reference.version}; make it versionless so new versions reach the app`
          : !this.#inCloud(reference)
            ? `references a vault outside this cloud (${reference.vaultUrl})`
            : undefined;
    if (problem === undefined && reference !== 'invalid') return reference;
    throw new KeyturnError('invalid-input', `The ${this.#label} ${problem ?? 'is unusable'}.`, {
      retryable: false,
      details: { resource: this.#api.resource, setting: this.#setting },
    });
  }
}

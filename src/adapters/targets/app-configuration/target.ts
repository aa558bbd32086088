import {
  type AppConfigurationClient,
  type ConfigurationSetting,
  secretReferenceContentType,
} from '@azure/app-configuration';

import { KeyturnError } from '../../../core/errors';
import { SecretValue } from '../../../core/secret';
import { parseSecretUri, sameSecret, type SecretUri, secretUriOf } from '../../azure/endpoints';
import { azureError, statusOf } from '../../azure/errors';
import type { SecretResolver } from '../../azure/secret-reference';
import type { RetiredKey, RotationContext, Target, TargetSnapshot, WriteResult } from '../../ports';
import type { KeyVaultSecretTarget } from '../key-vault-secret/target';

/** The slice of `AppConfigurationClient` the target uses. */
export type KeyValueStore = Pick<
  AppConfigurationClient,
  | 'getConfigurationSetting'
  | 'setConfigurationSetting'
  | 'addConfigurationSetting'
  | 'deleteConfigurationSetting'
>;

export interface KeyValueAddress {
  readonly endpoint: string;
  readonly key: string;
  readonly label?: string | undefined;
}

export type KeyValueMode =
  | { readonly kind: 'plain'; readonly contentType?: string | undefined }
  | {
      readonly kind: 'key-vault-reference';
      /** Writes the key into the referenced secret. */
      readonly secret: KeyVaultSecretTarget;
      readonly address: { readonly vaultUrl: string; readonly name: string };
    };

/** Another writer changing the key-value between our read and our conditional write makes us re-read this often. */
const MAX_ATTEMPTS = 5;

type Desired = { readonly value: string; readonly contentType: string | undefined } | 'deleted';

/**
 * A key-value in App Configuration (one key, one label). Every write is conditional on the ETag
 * that was read (or on absence), so a concurrent change is never overwritten blindly: on 412 the
 * target reads again and writes only if the key-value still does not hold what it wants.
 */
export class AppConfigurationTarget implements Target {
  readonly kind = 'app-configuration';
  readonly id: string;
  readonly #store: KeyValueStore;
  readonly #address: KeyValueAddress;
  readonly #mode: KeyValueMode;
  readonly #resolve: SecretResolver;
  readonly #label: string;

  constructor(store: KeyValueStore, address: KeyValueAddress, mode: KeyValueMode, resolve: SecretResolver) {
    this.#store = store;
    this.#address = address;
    this.#mode = mode;
    this.#resolve = resolve;
    const where = address.label === undefined ? address.key : `${address.key} (label ${address.label})`;
    this.id = `app-configuration:${address.endpoint}/${address.key}${address.label === undefined ? '' : `@${address.label}`}`;
    this.#label = `App Configuration key-value ${where} in ${address.endpoint}`;
  }

  /** What consumers get: the value, or what a Key Vault reference resolves to. */
  async read(): Promise<TargetSnapshot> {
    const setting = await this.#get();
    if (setting === undefined) return { state: 'absent', detail: { keyValue: 'missing' } };
    if (typeof setting.value !== 'string') return { state: 'absent', detail: { keyValue: 'empty' } };
    const reference = referenceOf(setting);
    if (reference === undefined) {
      return {
        state: 'present',
        value: new SecretValue(setting.value),
        ...(setting.etag !== undefined && { version: setting.etag }),
        detail: { form: 'plain', ...(setting.contentType && { contentType: setting.contentType }) },
      };
    }
    const resolved = reference === 'invalid' ? undefined : await this.#resolve(reference);
    // A reference is configuration, not a secret: keeping it lets restore put it back.
    const detail = { form: 'reference', reference: setting.value };
    if (!resolved) return { state: 'absent', detail: { ...detail, keyValue: 'unresolved-reference' } };
    return {
      state: 'present',
      value: resolved.value,
      ...(resolved.version !== undefined && { version: resolved.version }),
      detail,
    };
  }

  async write(value: SecretValue, context: RotationContext): Promise<WriteResult> {
    if (this.#mode.kind === 'plain') {
      return this.#apply(
        'write',
        (current) => {
          if (current && referenceOf(current) === undefined && current.value === value.reveal())
            return undefined;
          return { value: value.reveal(), contentType: this.#plainContentType(current) };
        },
        [value],
      );
    }
    const secret = await this.#mode.secret.write(value, context);
    const reference = await this.#ensureReference();
    return { written: secret.written || reference.written };
  }

  async restore(snapshot: TargetSnapshot, context: RotationContext): Promise<WriteResult> {
    const detail = snapshot.detail ?? {};
    if (snapshot.state === 'present' && detail['form'] !== 'reference') {
      const value = snapshot.value.reveal();
      return this.#apply(
        'restore',
        (current) => {
          if (current && referenceOf(current) === undefined && current.value === value) return undefined;
          return { value, contentType: detail['contentType'] };
        },
        [snapshot.value],
      );
    }
    const reference = detail['reference'];
    if (reference !== undefined) {
      const parsed = parseSecretUri(uriOf(reference) ?? '');
      if (this.#mode.kind === 'key-vault-reference' && parsed && this.#isOurs(parsed)) {
        // Our own reference: the secret gets back what it held (nothing, for an absent snapshot).
        const secret = await this.#mode.secret.restore(snapshot, context);
        const restored = await this.#ensureReference();
        return { written: secret.written || restored.written };
      }
      return this.#apply('restore', (current) =>
        current?.value === reference && isReferenceType(current.contentType)
          ? undefined
          : { value: reference, contentType: secretReferenceContentType },
      );
    }
    return this.#apply('restore', (current) => (current === undefined ? undefined : 'deleted'));
  }

  async retire(key: RetiredKey): Promise<void> {
    if (this.#mode.kind === 'key-vault-reference') await this.#mode.secret.retire(key);
  }

  async #ensureReference(): Promise<WriteResult> {
    if (this.#mode.kind !== 'key-vault-reference') return { written: false };
    const uri = secretUriOf(this.#mode.address);
    return this.#apply('write', (current) => {
      const reference = current && referenceOf(current);
      if (
        reference &&
        reference !== 'invalid' &&
        this.#isOurs(reference) &&
        reference.version === undefined
      ) {
        return undefined;
      }
      return { value: JSON.stringify({ uri }), contentType: secretReferenceContentType };
    });
  }

  #isOurs(reference: SecretUri): boolean {
    return this.#mode.kind === 'key-vault-reference' && sameSecret(reference, this.#mode.address);
  }

  /** An existing plain key-value keeps its content type; a new one gets the configured one. */
  #plainContentType(current: ConfigurationSetting | undefined): string | undefined {
    if (current && !isReferenceType(current.contentType)) return current.contentType;
    return this.#mode.kind === 'plain' ? this.#mode.contentType : undefined;
  }

  /**
   * Reads, asks `want` what the key-value should become (undefined: it already is), and writes that
   * conditionally on what was read; a 412 starts over from a fresh read.
   */
  async #apply(
    action: 'write' | 'restore',
    want: (current: ConfigurationSetting | undefined) => Desired | undefined,
    secrets: readonly SecretValue[] = [],
  ): Promise<WriteResult> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const current = await this.#get();
      const desired = want(current);
      if (desired === undefined) return { written: false };
      if (current?.isReadOnly) throw this.#locked(action);
      try {
        await this.#send(current, desired);
        return { written: true };
      } catch (error) {
        const status = statusOf(error);
        if (status === 412) continue;
        if (status === 409) throw this.#locked(action);
        throw azureError(error, action, this.#label, secrets);
      }
    }
    throw new KeyturnError(
      'conflict',
      `Cannot ${action} ${this.#label}: it kept changing while keyturn wrote it (${MAX_ATTEMPTS} attempts).`,
      { retryable: true, details: { resource: this.#label } },
    );
  }

  async #send(current: ConfigurationSetting | undefined, desired: Desired): Promise<void> {
    const { key, label } = this.#address;
    if (desired === 'deleted') {
      if (!current) return;
      await this.#store.deleteConfigurationSetting(
        { key, label, etag: current.etag },
        { onlyIfUnchanged: true },
      );
      return;
    }
    const setting = {
      key,
      label,
      value: desired.value,
      ...(desired.contentType !== undefined && { contentType: desired.contentType }),
      ...(current?.tags && { tags: current.tags }),
    };
    if (!current) {
      await this.#store.addConfigurationSetting(setting);
      return;
    }
    await this.#store.setConfigurationSetting({ ...setting, etag: current.etag }, { onlyIfUnchanged: true });
  }

  async #get(): Promise<ConfigurationSetting | undefined> {
    try {
      return await this.#store.getConfigurationSetting({
        key: this.#address.key,
        label: this.#address.label,
      });
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw azureError(error, 'read', this.#label);
    }
  }

  #locked(action: string): KeyturnError {
    return new KeyturnError(
      'conflict',
      `Cannot ${action} ${this.#label}: it is read-only (locked). Unlock it, or stop rotating it with keyturn.`,
      { retryable: false, details: { resource: this.#label } },
    );
  }
}

function isReferenceType(contentType: string | undefined): boolean {
  return contentType?.split(';')[0]?.trim().toLowerCase() === secretReferenceContentType.split(';')[0];
}

function uriOf(value: string): string | undefined {
  try {
    const parsed = JSON.parse(value) as unknown;
    const uri = typeof parsed === 'object' && parsed !== null ? (parsed as { uri?: unknown }).uri : undefined;
    return typeof uri === 'string' ? uri : undefined;
  } catch {
    return undefined;
  }
}

/** The secret a Key Vault reference key-value points at; 'invalid' for one that points nowhere. */
function referenceOf(setting: ConfigurationSetting): SecretUri | 'invalid' | undefined {
  if (!isReferenceType(setting.contentType) || typeof setting.value !== 'string') return undefined;
  return parseSecretUri(uriOf(setting.value) ?? '') ?? 'invalid';
}

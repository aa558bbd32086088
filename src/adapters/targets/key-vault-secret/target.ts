import type { KeyVaultSecret, SecretClient } from '@azure/keyvault-secrets';

import type { Clock } from '../../../core/clock';
import { KeyturnError } from '../../../core/errors';
import { SecretValue } from '../../../core/secret';
import { azureError, codeOf, statusOf } from '../../azure/errors';
import type { RetiredKey, RotationContext, Target, TargetSnapshot, WriteResult } from '../../ports';

/** The slice of `SecretClient` the target uses. */
export type SecretStore = Pick<
  SecretClient,
  'getSecret' | 'setSecret' | 'updateSecretProperties' | 'listPropertiesOfSecretVersions'
>;

export interface SecretAddress {
  /** Normalised vault URL, no trailing slash. */
  readonly vaultUrl: string;
  readonly name: string;
}

/** Tags on every version keyturn writes: which key it holds, never the key. */
export const VERSION_TAGS = {
  credentialId: 'keyturn-credential',
  generation: 'keyturn-generation',
  fingerprint: 'keyturn-fingerprint',
} as const;

type Latest =
  | { readonly kind: 'missing' }
  | { readonly kind: 'disabled' }
  | { readonly kind: 'enabled'; readonly value: SecretValue; readonly secret: KeyVaultSecret };

/**
 * A Key Vault secret. Each key is a new version tagged with its credential, generation and
 * fingerprint, expiring when the key reaches its maximum age; what consumers see is the latest
 * version (which is what `getSecret` without a version returns, whatever order listings use).
 */
export class KeyVaultSecretTarget implements Target {
  readonly kind = 'key-vault-secret';
  readonly id: string;
  readonly #client: SecretStore;
  readonly #address: SecretAddress;
  readonly #contentType: string;
  readonly #clock: Clock;
  readonly #label: string;

  constructor(client: SecretStore, address: SecretAddress, contentType: string, clock: Clock) {
    this.#client = client;
    this.#address = address;
    this.#contentType = contentType;
    this.#clock = clock;
    this.id = `key-vault-secret:${address.vaultUrl}/secrets/${address.name}`;
    this.#label = `Key Vault secret ${address.name} in ${address.vaultUrl}`;
  }

  async read(): Promise<TargetSnapshot> {
    const latest = await this.#latest();
    if (latest.kind !== 'enabled') return { state: 'absent', detail: { secret: latest.kind } };
    return {
      state: 'present',
      value: latest.value,
      ...(latest.secret.properties.version !== undefined && { version: latest.secret.properties.version }),
    };
  }

  /** Adds a version unless the latest one is enabled and already holds the value. */
  async write(value: SecretValue, context: RotationContext): Promise<WriteResult> {
    const latest = await this.#latest();
    if (latest.kind === 'enabled' && latest.value.equals(value)) return { written: false };
    await this.#set(value, {
      tags: {
        [VERSION_TAGS.credentialId]: context.credentialId,
        [VERSION_TAGS.generation]: String(context.generation),
        [VERSION_TAGS.fingerprint]: context.fingerprint,
      },
      contentType: this.#contentType,
      ...(context.expiresAt && { expiresOn: context.expiresAt }),
    });
    return { written: true };
  }

  /**
   * A present snapshot: its version is enabled again if it was disabled (consumers may pin it) and
   * its value becomes the latest again, with the tags and content type it had. An absent one: the
   * versions this generation wrote are disabled, so the secret again has no readable latest value.
   */
  async restore(snapshot: TargetSnapshot, context: RotationContext): Promise<WriteResult> {
    if (snapshot.state === 'absent') {
      const disabled = await this.#disableWhere(
        (tags) =>
          tags[VERSION_TAGS.credentialId] === context.credentialId &&
          tags[VERSION_TAGS.generation] === String(context.generation),
      );
      return { written: disabled > 0 };
    }
    const previous = snapshot.version === undefined ? undefined : await this.#enableVersion(snapshot.version);
    const written = previous?.reenabled ?? false;
    const latest = await this.#latest();
    if (latest.kind === 'enabled' && latest.value.equals(snapshot.value)) return { written };
    const properties = previous?.secret?.properties;
    const expiresOn = properties?.expiresOn;
    await this.#set(snapshot.value, {
      ...(properties?.tags && { tags: properties.tags }),
      contentType: properties?.contentType ?? this.#contentType,
      ...(expiresOn && expiresOn.getTime() > this.#clock.now().getTime() && { expiresOn }),
    });
    return { written: true };
  }

  /** Disables every enabled version that holds the revoked key. */
  async retire(key: RetiredKey): Promise<void> {
    await this.#disableWhere(
      (tags) =>
        tags[VERSION_TAGS.fingerprint] === key.fingerprint &&
        tags[VERSION_TAGS.credentialId] === key.credentialId,
    );
  }

  async #latest(): Promise<Latest> {
    try {
      const secret = await this.#client.getSecret(this.#address.name);
      if (secret.properties.enabled === false || secret.value === undefined) return { kind: 'disabled' };
      return { kind: 'enabled', value: new SecretValue(secret.value), secret };
    } catch (error) {
      if (statusOf(error) === 404) return { kind: 'missing' };
      if (isDisabled(error)) return { kind: 'disabled' };
      throw azureError(error, 'read', this.#label);
    }
  }

  async #set(
    value: SecretValue,
    options: { tags?: Record<string, string>; contentType: string; expiresOn?: Date },
  ): Promise<void> {
    try {
      await this.#client.setSecret(this.#address.name, value.reveal(), options);
    } catch (error) {
      const code = codeOf(error);
      const said = `${code ?? ''} ${JSON.stringify((error as { details?: unknown }).details ?? null)} ${messageOf(error)}`;
      if (statusOf(error) === 409 && /DeletedButRecoverable|deleted but recoverable/i.test(said)) {
        throw new KeyturnError(
          'conflict',
          `Cannot write ${this.#label}: the secret is deleted but recoverable; recover it (or purge it) before keyturn writes to it.`,
          { retryable: false, details: { resource: this.#label, code } },
        );
      }
      if (statusOf(error) === 409) {
        // ObjectIsBeingRecovered: the recovery finishes on its own.
        throw new KeyturnError('unavailable', `Cannot write ${this.#label} yet: it is being recovered.`, {
          retryable: true,
          details: { resource: this.#label, code },
        });
      }
      throw azureError(error, 'write', this.#label, [value]);
    }
  }

  /** Enables a version that was disabled; returns it (undefined when it no longer exists). */
  async #enableVersion(
    version: string,
  ): Promise<{ secret?: KeyVaultSecret; reenabled: boolean } | undefined> {
    try {
      return { secret: await this.#client.getSecret(this.#address.name, { version }), reenabled: false };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      if (!isDisabled(error)) throw azureError(error, `read version ${version} of`, this.#label);
    }
    try {
      await this.#client.updateSecretProperties(this.#address.name, version, { enabled: true });
      return { secret: await this.#client.getSecret(this.#address.name, { version }), reenabled: true };
    } catch (error) {
      throw azureError(error, `re-enable version ${version} of`, this.#label);
    }
  }

  async #disableWhere(match: (tags: Readonly<Record<string, string>>) => boolean): Promise<number> {
    let disabled = 0;
    try {
      for await (const properties of this.#client.listPropertiesOfSecretVersions(this.#address.name)) {
        if (properties.enabled === false || properties.version === undefined) continue;
        if (!match(properties.tags ?? {})) continue;
        await this.#client.updateSecretProperties(this.#address.name, properties.version, { enabled: false });
        disabled++;
      }
    } catch (error) {
      if (statusOf(error) === 404) return disabled;
      throw azureError(error, 'disable versions of', this.#label);
    }
    return disabled;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Key Vault answers 403 to a read of a disabled version (inner code SecretDisabled). */
function isDisabled(error: unknown): boolean {
  if (statusOf(error) !== 403) return false;
  const inner = JSON.stringify((error as { details?: unknown }).details ?? null);
  return /SecretDisabled/i.test(inner) || /disabled secret/i.test(messageOf(error));
}

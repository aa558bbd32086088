import { randomBytes } from 'node:crypto';

import { KeyturnError } from '../../../core/errors';
import { SecretValue } from '../../../core/secret';
import type { GenerationRef, Issuer, PendingStash } from '../../ports';
import type { FunctionKeysApi } from './keys-api';

/** What the Functions host itself generates: 40 random bytes, URL-safe base64 (usable in `?code=`). */
function mintFunctionKey(): SecretValue {
  return new SecretValue(randomBytes(40).toString('base64url'));
}

/**
 * Function App keys, one named key per generation (`<keyName>-g<generation>`), so the previous
 * generation's key stays valid through the grace period beside the new one. keyturn mints each
 * value itself (and stashes it before it reaches Azure), so issuing again writes the same value.
 * Revoking deletes the key; keyturn keeps no copy of it, so a deleted key cannot come back.
 */
export class FunctionAppKeyIssuer implements Issuer {
  readonly kind = 'function-app-key';
  readonly #api: FunctionKeysApi;
  readonly #keyName: string;

  constructor(api: FunctionKeysApi, keyName: string) {
    this.#api = api;
    this.#keyName = keyName;
  }

  async issue(
    ref: GenerationRef & { readonly rotationId: string },
    stash: PendingStash,
  ): Promise<SecretValue> {
    const value = await stash.getOrCreate(() => Promise.resolve(mintFunctionKey()));
    const name = this.#nameOf(ref.generation);
    const existing = (await this.#api.list())[name];
    if (existing !== undefined && value.equals(new SecretValue(existing))) return value;
    await this.#api.put(name, value);
    return value;
  }

  /** Every generation's key is its own key at the host: nothing changes on promotion. */
  async activate(): Promise<void> {
    // Nothing to change at the service.
  }

  async revoke(ref: GenerationRef): Promise<void> {
    const name = this.#nameOf(ref.generation);
    if (!(name in (await this.#api.list()))) return;
    await this.#api.remove(name);
  }

  async reactivate(ref: GenerationRef): Promise<void> {
    if (this.#nameOf(ref.generation) in (await this.#api.list())) return;
    throw new KeyturnError(
      'conflict',
      `Cannot reactivate generation ${ref.generation} of ${ref.credentialId}: its key ${this.#nameOf(ref.generation)} was deleted from the ${this.#api.resource}, and keyturn keeps no copy of key values. Rotate forward instead.`,
      { retryable: false, details: { credentialId: ref.credentialId, generation: ref.generation } },
    );
  }

  /** Whether one of this issuer's generation keys has the value (other keys of the app do not count). */
  async accepts(value: SecretValue): Promise<boolean> {
    const pattern = new RegExp(`^${this.#keyName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-g\\d+$`);
    return Object.entries(await this.#api.list()).some(
      ([name, key]) => pattern.test(name) && value.equals(new SecretValue(key)),
    );
  }

  #nameOf(generation: number): string {
    return `${this.#keyName}-g${generation}`;
  }
}

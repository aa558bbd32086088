import type { Clock } from '../../../core/clock';
import { SecretValue } from '../../../core/secret';
import type { Keyring } from '../../../crypto/keyring';
import type { GenerationRef, Issuer, PendingStash } from '../../ports';
import { mintKey } from './key-format';
import type { ManagedKeyStatus, ManagedKeyStore } from './key-store';
import type { ManagedKeyVerifier } from './verifier';

/**
 * keyturn as the key authority: it mints keys itself, keeps only their HMACs, and answers
 * verification requests for the APIs it protects.
 */
export class ManagedIssuer implements Issuer {
  readonly kind = 'managed';
  readonly #prefix: string;
  readonly #store: ManagedKeyStore;
  readonly #keyring: Keyring;
  readonly #verifier: ManagedKeyVerifier;
  readonly #clock: Clock;

  constructor(
    prefix: string,
    store: ManagedKeyStore,
    keyring: Keyring,
    verifier: ManagedKeyVerifier,
    clock: Clock,
  ) {
    this.#prefix = prefix;
    this.#store = store;
    this.#keyring = keyring;
    this.#verifier = verifier;
    this.#clock = clock;
  }

  async issue(ref: GenerationRef, stash: PendingStash): Promise<SecretValue> {
    // Minting has no side effect, so the key is stashed before the issuer records it: a retry
    // after a crash finds the same key and registers the same hash.
    const value = await stash.getOrCreate(() => Promise.resolve(new SecretValue(mintKey(this.#prefix))));
    await this.#store.register(ref, this.#keyring.hashKey(value.reveal()), 'pending', this.#clock.now());
    return value;
  }

  async activate(ref: GenerationRef & { previousGeneration?: number }): Promise<void> {
    await this.#setStatus(ref, 'current');
    if (ref.previousGeneration !== undefined) {
      await this.#setStatus(
        { credentialId: ref.credentialId, generation: ref.previousGeneration },
        'previous',
      );
    }
  }

  async revoke(ref: GenerationRef): Promise<void> {
    await this.#setStatus(ref, 'revoked');
  }

  async reactivate(ref: GenerationRef): Promise<void> {
    await this.#setStatus(ref, 'previous');
  }

  async accepts(value: SecretValue): Promise<boolean> {
    return (await this.#verifier.verify(value.reveal(), this.#prefix)).valid;
  }

  async #setStatus(ref: GenerationRef, status: ManagedKeyStatus): Promise<void> {
    const record = await this.#store.setStatus(ref, status, this.#clock.now());
    this.#verifier.invalidate(record.hash);
  }
}

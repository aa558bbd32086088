import { KeyturnError } from '../../../core/errors';
import type { SecretValue } from '../../../core/secret';
import type { Keyring } from '../../../crypto/keyring';
import type { GenerationRef, Issuer, PendingStash } from '../../ports';
import type { GenerationEntry, GenerationLedger } from '../types';
import type { DualKeyApi, Slot } from './resources';

/** Generations whose keys consumers may be using: the ones a rotation must not take away. */
const IN_USE = new Set<GenerationEntry['status']>(['current', 'previous']);

/**
 * An Azure resource with two keys, rotated by alternating them: a rotation hands out the standby
 * key (the one no generation in use holds), freshly regenerated, and revoking a generation
 * regenerates the key it holds, which kills its old value. Both keys are always valid at the
 * service, so activation changes nothing there.
 *
 * Which key a generation holds is found by fingerprint, against what keyturn's inventory recorded
 * for it, rather than derived from the generation number: failed rotations use up numbers, so a
 * parity rule would sooner or later regenerate the key in use.
 */
export class AzureDualKeyIssuer implements Issuer {
  readonly kind = 'azure-dual-key';
  readonly #api: DualKeyApi;
  readonly #ledger: GenerationLedger;
  readonly #keyring: Pick<Keyring, 'fingerprint'>;

  constructor(api: DualKeyApi, ledger: GenerationLedger, keyring: Pick<Keyring, 'fingerprint'>) {
    this.#api = api;
    this.#ledger = ledger;
    this.#keyring = keyring;
  }

  /**
   * Until a generation has been current, keyturn cannot know which key consumers use, so the first
   * generation adopts the first key as it is and regenerates nothing. Later ones regenerate the
   * standby key before handing it out, so no generation reuses a value someone may have seen.
   */
  async issue(
    ref: GenerationRef & { readonly rotationId: string },
    stash: PendingStash,
  ): Promise<SecretValue> {
    const fresh = { minted: false };
    const value = await stash.getOrCreate(async () => {
      fresh.minted = true;
      const keys = await this.#api.list();
      const entries = await this.#ledger.generations(ref.credentialId);
      if (!entries.some((g) => g.generation !== ref.generation && g.activatedAt !== undefined))
        return keys[0];
      const inUse = inUseOf(entries, ref.generation);
      const standby = ([0, 1] as const).filter((slot) => !inUse.has(this.#fingerprint(keys[slot])));
      const slot = standby[0];
      if (slot === undefined) {
        const holders = [...inUse.values()]
          .map((g) => `${g.status} generation ${g.generation}`)
          .join(' and ');
        throw new KeyturnError(
          'conflict',
          `Cannot issue generation ${ref.generation} of ${ref.credentialId}: both keys of ${this.#api.resource} are in use (${holders}). Let the previous generation be revoked (a target still holding it blocks that) before rotating again.`,
          { retryable: false, details: { credentialId: ref.credentialId, generation: ref.generation } },
        );
      }
      await this.#api.regenerate(slot);
      return (await this.#api.list())[slot];
    });
    if (!fresh.minted && this.#slotOf(await this.#api.list(), value) === undefined) {
      throw new KeyturnError(
        'conflict',
        `The pending key of generation ${ref.generation} of ${ref.credentialId} was replaced at ${this.#api.resource} before it was distributed.`,
        { retryable: false, details: { credentialId: ref.credentialId, generation: ref.generation } },
      );
    }
    return value;
  }

  /** Both keys are always valid at the service; which one is "current" is keyturn's record. */
  async activate(): Promise<void> {
    // Nothing to change at the service.
  }

  /**
   * Regenerates the key this generation holds, unless it was regenerated already, or unless the
   * generation adopted a key it found and never became current: that key is what consumers had
   * before keyturn (compensation has just put it back in the targets), so it stays.
   */
  async revoke(ref: GenerationRef): Promise<void> {
    const entries = await this.#ledger.generations(ref.credentialId);
    const entry = this.#entry(ref, entries);
    if (
      entry.activatedAt === undefined &&
      !entries.some((g) => g.generation < ref.generation && g.activatedAt !== undefined)
    ) {
      return;
    }
    const keys = await this.#api.list();
    const slot = ([0, 1] as const).find((s) => this.#fingerprint(keys[s]) === entry.fingerprint);
    if (slot === undefined) return;
    const sharing = [...inUseOf(entries, ref.generation).values()].find(
      (g) => g.fingerprint === entry.fingerprint,
    );
    if (sharing) {
      throw new KeyturnError(
        'conflict',
        `Refusing to regenerate ${this.#api.slotNames[slot]} of ${this.#api.resource}: it also holds ${sharing.status} generation ${sharing.generation} of ${ref.credentialId}.`,
        { retryable: false, details: { credentialId: ref.credentialId, generation: ref.generation } },
      );
    }
    await this.#api.regenerate(slot);
  }

  /** Possible only while the key was not regenerated yet: the service cannot bring back a value. */
  async reactivate(ref: GenerationRef): Promise<void> {
    const entry = this.#entry(ref, await this.#ledger.generations(ref.credentialId));
    const keys = await this.#api.list();
    if (keys.some((key) => this.#fingerprint(key) === entry.fingerprint)) return;
    throw new KeyturnError(
      'conflict',
      `Cannot reactivate generation ${ref.generation} of ${ref.credentialId}: revoking it regenerated its key at ${this.#api.resource}, and the service cannot bring back an old key value. Rotate forward instead.`,
      { retryable: false, details: { credentialId: ref.credentialId, generation: ref.generation } },
    );
  }

  async accepts(value: SecretValue): Promise<boolean> {
    return this.#slotOf(await this.#api.list(), value) !== undefined;
  }

  #slotOf(keys: readonly [SecretValue, SecretValue], value: SecretValue): Slot | undefined {
    return ([0, 1] as const).find((slot) => keys[slot].equals(value));
  }

  #fingerprint(value: SecretValue): string {
    return this.#keyring.fingerprint(value);
  }

  #entry(ref: GenerationRef, entries: readonly GenerationEntry[]): GenerationEntry {
    const entry = entries.find((g) => g.generation === ref.generation);
    if (!entry) {
      throw new KeyturnError(
        'not-found',
        `Generation ${ref.generation} of ${ref.credentialId} has no record, so its key at ${this.#api.resource} is unknown.`,
        { retryable: false, details: { credentialId: ref.credentialId, generation: ref.generation } },
      );
    }
    return entry;
  }
}

/** Generations in use other than `except`, by fingerprint. */
function inUseOf(entries: readonly GenerationEntry[], except: number): Map<string, GenerationEntry> {
  return new Map(
    entries.filter((g) => g.generation !== except && IN_USE.has(g.status)).map((g) => [g.fingerprint, g]),
  );
}

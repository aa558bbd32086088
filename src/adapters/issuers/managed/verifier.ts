import type { Clock } from '../../../core/clock';
import { Keyring } from '../../../crypto/keyring';
import { isWellFormedKey } from './key-format';
import type { ManagedKeyRecord, ManagedKeyStore } from './key-store';

export type VerifyResult =
  | {
      readonly valid: true;
      readonly credentialId: string;
      readonly generation: number;
      readonly status: string;
    }
  | { readonly valid: false };

export interface VerifierOptions {
  /** How long a looked-up key record is trusted before it is read again. */
  readonly cacheTtlMs?: number;
  /** Last-use times are written at most this often per key. */
  readonly usageResolutionMs?: number;
}

const ACCEPTED = new Set(['pending', 'current', 'previous']);

/**
 * Verifies presented managed keys: format and checksum first (cheap rejection of look-alikes),
 * then the key's HMAC against the issuer's records. Records are cached briefly; a status change
 * made through this process is seen at once, one made elsewhere within the cache TTL.
 */
export class ManagedKeyVerifier {
  readonly #store: ManagedKeyStore;
  readonly #keyring: Keyring;
  readonly #clock: Clock;
  readonly #ttl: number;
  readonly #usageResolution: number;
  readonly #cache = new Map<string, { record: ManagedKeyRecord | undefined; until: number }>();
  readonly #lastRecordedUse = new Map<string, number>();

  constructor(store: ManagedKeyStore, keyring: Keyring, clock: Clock, options: VerifierOptions = {}) {
    this.#store = store;
    this.#keyring = keyring;
    this.#clock = clock;
    this.#ttl = options.cacheTtlMs ?? 30_000;
    this.#usageResolution = options.usageResolutionMs ?? 60_000;
  }

  async verify(presented: string, prefix?: string): Promise<VerifyResult> {
    if (!isWellFormedKey(presented, prefix)) return { valid: false };
    const hash = this.#keyring.hashKey(presented);
    const record = await this.#record(hash);
    // The lookup is by hash; comparing again in constant time keeps a cache or store bug from
    // turning into an accepted key.
    if (!record || !Keyring.sameHash(record.hash, hash) || !ACCEPTED.has(record.status))
      return { valid: false };
    await this.#noteUse(record);
    return {
      valid: true,
      credentialId: record.credentialId,
      generation: record.generation,
      status: record.status,
    };
  }

  /** Forgets a cached record, after this process changed its status. */
  invalidate(hash: string): void {
    this.#cache.delete(hash);
  }

  async #record(hash: string): Promise<ManagedKeyRecord | undefined> {
    const now = this.#clock.now().getTime();
    const cached = this.#cache.get(hash);
    if (cached && cached.until > now) return cached.record;
    const record = await this.#store.lookup(hash);
    this.#cache.set(hash, { record, until: now + this.#ttl });
    return record;
  }

  async #noteUse(record: ManagedKeyRecord): Promise<void> {
    const now = this.#clock.now();
    const last =
      this.#lastRecordedUse.get(record.hash) ?? (record.lastUsedAt ? Date.parse(record.lastUsedAt) : 0);
    if (now.getTime() - last < this.#usageResolution) return;
    this.#lastRecordedUse.set(record.hash, now.getTime());
    await this.#store.recordUse(record.hash, now);
  }
}

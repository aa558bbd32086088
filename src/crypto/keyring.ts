import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';

import { KeyturnError } from '../core/errors';
import { SecretValue } from '../core/secret';

const SEALED_VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * The keys derived from the master key, one per purpose, so that a key never serves two jobs:
 * sealing keys at rest, hashing managed keys for verification, and fingerprinting keys for audit.
 */
export class Keyring {
  readonly #sealKey: Buffer;
  readonly #hashKey: Buffer;
  readonly #fingerprintKey: Buffer;

  constructor(masterKey: Buffer) {
    const derive = (purpose: string): Buffer =>
      Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), `keyturn/${purpose}/v1`, 32));
    this.#sealKey = derive('seal');
    this.#hashKey = derive('managed-key-hash');
    this.#fingerprintKey = derive('fingerprint');
  }

  /**
   * Encrypts a value with AES-256-GCM. `context` (credential and generation, say) is bound as
   * associated data, so a sealed value moved to another record no longer opens.
   */
  seal(value: SecretValue, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#sealKey, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(value.reveal(), 'utf8'), cipher.final()]);
    return `${SEALED_VERSION}.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
  }

  open(sealed: string, context: string): SecretValue {
    const [version, payload] = sealed.split('.', 2);
    if (version !== SEALED_VERSION || payload === undefined) {
      throw new KeyturnError('integrity', `Sealed value has an unknown format (${version ?? 'none'}).`, {
        retryable: false,
      });
    }
    const bytes = Buffer.from(payload, 'base64url');
    const iv = bytes.subarray(0, IV_BYTES);
    const tag = bytes.subarray(bytes.length - TAG_BYTES);
    const body = bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#sealKey, iv);
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(tag);
      return new SecretValue(Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8'));
    } catch (error) {
      throw new KeyturnError('integrity', `Sealed value for ${context} failed authentication.`, {
        retryable: false,
        cause: error,
      });
    }
  }

  /** HMAC-SHA256 of a managed key (hex): what the managed issuer stores instead of the key. */
  hashKey(value: string): string {
    return createHmac('sha256', this.#hashKey).update(value, 'utf8').digest('hex');
  }

  /** Compares two hashes from `hashKey` in constant time. */
  static sameHash(a: string, b: string): boolean {
    const x = Buffer.from(a, 'hex');
    const y = Buffer.from(b, 'hex');
    return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
  }

  /**
   * A short, non-reversible identifier of a key for audit records and logs. Keyed, so that a
   * low-entropy vendor key cannot be found by hashing guesses.
   */
  fingerprint(value: SecretValue): string {
    const mac = createHmac('sha256', this.#fingerprintKey).update(value.reveal(), 'utf8').digest();
    return `fp_${mac.subarray(0, 12).toString('base64url')}`;
  }
}

import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

import type { SecretClient } from '@azure/keyvault-secrets';

import { KeyturnError } from '../core/errors';
import { statusCodeOf } from '../storage/tables';

/**
 * Where keyturn's 256-bit master key lives: outside the data it protects (the tables), so a copy
 * of the storage account alone opens nothing. Every other key is derived from it.
 */
export interface MasterKeySource {
  readonly description: string;
  load(): Promise<Buffer>;
}

const KEY_BYTES = 32;

/** A key file readable by its owner only; created on first use. */
export class FileMasterKey implements MasterKeySource {
  readonly description: string;
  readonly #path: string;

  constructor(path: string) {
    this.#path = path;
    this.description = `key file ${path}`;
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- async so that every failure is a rejection
  async load(): Promise<Buffer> {
    if (!existsSync(this.#path)) {
      mkdirSync(dirname(this.#path), { recursive: true, mode: 0o700 });
      writeFileSync(this.#path, `${randomBytes(KEY_BYTES).toString('base64')}\n`, {
        mode: 0o600,
        flag: 'wx',
      });
      chmodSync(this.#path, 0o600);
    }
    const mode = statSync(this.#path).mode & 0o777;
    if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
      throw new KeyturnError(
        'forbidden',
        `Master key file ${this.#path} is accessible to group or others (mode ${mode.toString(8)}); run chmod 600 on it.`,
        { retryable: false },
      );
    }
    return decodeKey(readFileSync(this.#path, 'utf8'), this.description);
  }
}

/** A Key Vault secret holding the key (base64); created on first use when the identity may. */
export class KeyVaultMasterKey implements MasterKeySource {
  readonly description: string;
  readonly #client: Pick<SecretClient, 'getSecret' | 'setSecret'>;
  readonly #name: string;

  constructor(client: Pick<SecretClient, 'getSecret' | 'setSecret' | 'vaultUrl'>, secretName: string) {
    this.#client = client;
    this.#name = secretName;
    this.description = `Key Vault secret ${secretName} in ${client.vaultUrl}`;
  }

  async load(): Promise<Buffer> {
    try {
      const secret = await this.#client.getSecret(this.#name);
      return decodeKey(secret.value ?? '', this.description);
    } catch (error) {
      if (statusCodeOf(error) !== 404) {
        throw new KeyturnError('unavailable', `Cannot read the master key from ${this.description}.`, {
          cause: error,
        });
      }
    }
    const created = await this.#client.setSecret(this.#name, randomBytes(KEY_BYTES).toString('base64'), {
      contentType: 'application/vnd.keyturn.master-key',
      tags: { purpose: 'keyturn-master-key' },
    });
    return decodeKey(created.value ?? '', this.description);
  }
}

function decodeKey(text: string, source: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== KEY_BYTES) {
    throw new KeyturnError('integrity', `The master key in ${source} is not ${KEY_BYTES} bytes of base64.`, {
      retryable: false,
    });
  }
  return key;
}

import type { TableClient } from '@azure/data-tables';

import { KeyturnError } from '../../../core/errors';
import { statusCodeOf, storageError } from '../../../storage/tables';
import type { GenerationRef } from '../../ports';

export type ManagedKeyStatus = 'pending' | 'current' | 'previous' | 'revoked';

export interface ManagedKeyRecord extends GenerationRef {
  readonly hash: string;
  readonly status: ManagedKeyStatus;
  readonly createdAt: string;
  readonly statusChangedAt: string;
  readonly lastUsedAt?: string;
}

const genPartition = (credentialId: string): string => `gen-${credentialId}`;
const genRow = (generation: number): string => generation.toString().padStart(10, '0');
const hashPartition = (hash: string): string => `h${hash.slice(0, 2)}`;

/**
 * The managed issuer's records: one row per key, found by the key's HMAC (the only thing kept of
 * it), and one row per generation pointing at that hash. The generation row is written first and
 * read first, so a key whose registration was interrupted is never accepted without being findable.
 */
export class ManagedKeyStore {
  readonly #table: TableClient;

  constructor(table: TableClient) {
    this.#table = table;
  }

  /** Records a generation's key hash with a status; idempotent for the same hash. */
  async register(ref: GenerationRef, hash: string, status: ManagedKeyStatus, at: Date): Promise<void> {
    const existing = await this.#hashOf(ref);
    if (existing !== undefined && existing !== hash) {
      throw new KeyturnError(
        'conflict',
        `Generation ${ref.generation} of ${ref.credentialId} already has a different managed key.`,
        { retryable: false, details: { ...ref } },
      );
    }
    await this.#write('register', async () => {
      await this.#table.upsertEntity(
        { partitionKey: genPartition(ref.credentialId), rowKey: genRow(ref.generation), hash },
        'Replace',
      );
      const current = await this.lookup(hash);
      await this.#table.upsertEntity(
        {
          partitionKey: hashPartition(hash),
          rowKey: hash,
          credentialId: ref.credentialId,
          generation: ref.generation,
          status: current?.status ?? status,
          createdAt: current?.createdAt ?? at.toISOString(),
          statusChangedAt: current?.statusChangedAt ?? at.toISOString(),
        },
        'Merge',
      );
    });
  }

  /** Sets the status of a generation's key; a generation that was never registered is an error. */
  async setStatus(ref: GenerationRef, status: ManagedKeyStatus, at: Date): Promise<ManagedKeyRecord> {
    const hash = await this.#hashOf(ref);
    if (hash === undefined) {
      throw new KeyturnError(
        'not-found',
        `No managed key for generation ${ref.generation} of ${ref.credentialId}.`,
        {
          retryable: false,
          details: { ...ref },
        },
      );
    }
    const record = await this.lookup(hash);
    if (record?.status === status) return record;
    await this.#write('set status', () =>
      this.#table.upsertEntity(
        { partitionKey: hashPartition(hash), rowKey: hash, status, statusChangedAt: at.toISOString() },
        'Merge',
      ),
    );
    const updated = await this.lookup(hash);
    if (!updated) throw new KeyturnError('internal', `Managed key row vanished for ${ref.credentialId}.`);
    return updated;
  }

  async lookup(hash: string): Promise<ManagedKeyRecord | undefined> {
    try {
      const row = await this.#table.getEntity(hashPartition(hash), hash);
      return {
        hash,
        credentialId: String(row['credentialId']),
        generation: Number(row['generation']),
        status: String(row['status']) as ManagedKeyStatus,
        createdAt: String(row['createdAt']),
        statusChangedAt: String(row['statusChangedAt']),
        ...(typeof row['lastUsedAt'] === 'string' && { lastUsedAt: row['lastUsedAt'] }),
      };
    } catch (error) {
      if (statusCodeOf(error) === 404) return undefined;
      throw storageError(error, this.#table.tableName, 'lookup');
    }
  }

  async recordUse(hash: string, at: Date): Promise<void> {
    await this.#write('record use', () =>
      this.#table.upsertEntity(
        { partitionKey: hashPartition(hash), rowKey: hash, lastUsedAt: at.toISOString() },
        'Merge',
      ),
    );
  }

  async #hashOf(ref: GenerationRef): Promise<string | undefined> {
    try {
      const row = await this.#table.getEntity<{ hash: string }>(
        genPartition(ref.credentialId),
        genRow(ref.generation),
      );
      return row.hash;
    } catch (error) {
      if (statusCodeOf(error) === 404) return undefined;
      throw storageError(error, this.#table.tableName, 'read generation');
    }
  }

  async #write(operation: string, work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
    } catch (error) {
      if (error instanceof KeyturnError) throw error;
      throw storageError(error, this.#table.tableName, operation);
    }
  }
}

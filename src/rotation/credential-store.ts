import type { TableClient, TransactionAction } from '@azure/data-tables';

import { KeyturnError } from '../core/errors';
import { rowKeyPrefixFilter, statusCodeOf, storageError } from '../storage/tables';

/**
 * The inventory: one Table Storage partition per credential, holding its state row, one row per
 * generation, one per rotation and the sealed pending key. Keeping them in one partition lets every
 * step change them together in one entity-group transaction, guarded by the state row's ETag.
 */

export type GenerationStatus = 'pending' | 'current' | 'previous' | 'revoked';

export interface CredentialState {
  readonly credentialId: string;
  /** Highest generation number handed out (failed attempts use numbers too). */
  readonly lastGeneration: number;
  readonly currentGeneration?: number;
  readonly currentFingerprint?: string;
  /** When the current key became current: the start of its age. */
  readonly currentSince?: string;
  readonly previousGeneration?: number;
  readonly previousFingerprint?: string;
  readonly pendingGeneration?: number;
  readonly pendingFingerprint?: string;
  /** The rotation (or rollback) that holds the credential, if any. */
  readonly lockRotationId?: string;
  readonly lockToken?: string;
  readonly lockAcquiredAt?: string;
  readonly lastRotationId?: string;
  readonly lastOutcome?: string;
  readonly lastFinishedAt?: string;
  /** The last completed rotation: what a rollback undoes. */
  readonly lastCompletedRotationId?: string;
  /**
   * Why scheduled rotation is on hold (set by a rollback: the new key caused trouble, so a person
   * decides when to try again by requesting a rotation). Compliance is still reported.
   */
  readonly holdReason?: string;
  readonly updatedAt: string;
}

export interface GenerationRecord {
  readonly credentialId: string;
  readonly generation: number;
  readonly status: GenerationStatus;
  readonly fingerprint: string;
  readonly rotationId: string;
  readonly createdAt: string;
  readonly activatedAt?: string;
  readonly revokedAt?: string;
}

export type RotationStatus = 'running' | 'completed' | 'failed' | 'skipped' | 'rolled-back';
export type RotationKind = 'rotation' | 'rollback';

/** What a target held before the rotation wrote to it; the value is sealed. */
export interface TargetRecord {
  readonly id: string;
  readonly state: 'absent' | 'present';
  readonly sealedValue?: string;
  readonly version?: string;
  readonly detail?: Readonly<Record<string, string>>;
  readonly written: boolean;
  readonly restored: boolean;
}

export interface RotationRecord {
  readonly rotationId: string;
  readonly credentialId: string;
  readonly kind: RotationKind;
  readonly generation: number;
  readonly previousGeneration?: number;
  readonly status: RotationStatus;
  readonly step: string;
  readonly trigger: string;
  readonly reason: string;
  readonly requestedBy: string;
  readonly emergency: boolean;
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly error?: string;
  readonly warnings: readonly string[];
  readonly targets: readonly TargetRecord[];
}

export interface CredentialSnapshot {
  readonly state: CredentialState | undefined;
  /** ETag of the state row; undefined when the credential has no row yet. */
  readonly etag: string | undefined;
}

const STATE = 'state';
export const generationKey = (generation: number): string => `gen-${generation.toString().padStart(10, '0')}`;
export const rotationKey = (rotationId: string): string => `rot-${rotationId}`;
export const sealedKey = (generation: number): string => `sealed-${generation.toString().padStart(10, '0')}`;

/** A change to apply to a credential's partition. */
export type PartitionWrite =
  | { readonly kind: 'state'; readonly state: CredentialState }
  | { readonly kind: 'generation'; readonly record: GenerationRecord }
  | { readonly kind: 'rotation'; readonly record: RotationRecord }
  | { readonly kind: 'delete-sealed'; readonly generation: number };

export class CredentialStore {
  readonly #table: TableClient;

  constructor(table: TableClient) {
    this.#table = table;
  }

  get tableName(): string {
    return this.#table.tableName;
  }

  async getState(credentialId: string): Promise<CredentialSnapshot> {
    const row = await this.#get(credentialId, STATE);
    return row
      ? { state: fromStateRow(credentialId, row), etag: row.etag }
      : { state: undefined, etag: undefined };
  }

  /** Every credential's state row (a scan across partitions). */
  async listStates(): Promise<CredentialState[]> {
    const result: CredentialState[] = [];
    try {
      for await (const row of this.#table.listEntities({
        queryOptions: { filter: `RowKey eq '${STATE}'` },
      })) {
        result.push(fromStateRow(row.partitionKey ?? '', row));
      }
    } catch (error) {
      throw storageError(error, this.tableName, 'list states');
    }
    return result;
  }

  async getGenerations(credentialId: string): Promise<GenerationRecord[]> {
    const rows = await this.#range(credentialId, 'gen-');
    return rows.map((row) => fromJsonRow<GenerationRecord>(row));
  }

  async getGeneration(credentialId: string, generation: number): Promise<GenerationRecord | undefined> {
    const row = await this.#get(credentialId, generationKey(generation));
    return row ? fromJsonRow<GenerationRecord>(row) : undefined;
  }

  async getRotation(credentialId: string, rotationId: string): Promise<RotationRecord | undefined> {
    const row = await this.#get(credentialId, rotationKey(rotationId));
    return row ? fromJsonRow<RotationRecord>(row) : undefined;
  }

  async listRotations(credentialId: string): Promise<RotationRecord[]> {
    const rows = await this.#range(credentialId, 'rot-');
    return rows.map((row) => fromJsonRow<RotationRecord>(row));
  }

  async getSealed(credentialId: string, generation: number): Promise<string | undefined> {
    const row = await this.#get(credentialId, sealedKey(generation));
    return typeof row?.['sealed'] === 'string' ? row['sealed'] : undefined;
  }

  /** Stores a sealed pending key unless one is there already; returns the one that is kept. */
  async putSealedIfAbsent(credentialId: string, generation: number, sealed: string): Promise<string> {
    try {
      await this.#table.createEntity({ partitionKey: credentialId, rowKey: sealedKey(generation), sealed });
      return sealed;
    } catch (error) {
      if (statusCodeOf(error) !== 409) throw storageError(error, this.tableName, 'store sealed key');
      const existing = await this.getSealed(credentialId, generation);
      if (existing === undefined) throw storageError(error, this.tableName, 'store sealed key');
      return existing;
    }
  }

  /**
   * Applies writes to one credential's partition atomically. `etag` guards the state row: pass the
   * ETag read with it, or undefined when the state row must not exist yet. A concurrent change
   * makes the whole commit fail with a `conflict` error.
   */
  async commit(
    credentialId: string,
    etag: string | undefined,
    writes: readonly PartitionWrite[],
  ): Promise<void> {
    const actions: TransactionAction[] = writes.map((write) => {
      switch (write.kind) {
        case 'state': {
          const entity = { partitionKey: credentialId, rowKey: STATE, ...toStateRow(write.state) };
          return etag === undefined ? ['create', entity] : ['update', entity, 'Replace', { etag }];
        }
        case 'generation':
          return [
            'upsert',
            {
              partitionKey: credentialId,
              rowKey: generationKey(write.record.generation),
              json: JSON.stringify(write.record),
            },
            'Replace',
          ];
        case 'rotation':
          return [
            'upsert',
            {
              partitionKey: credentialId,
              rowKey: rotationKey(write.record.rotationId),
              json: JSON.stringify(write.record),
            },
            'Replace',
          ];
        case 'delete-sealed':
          return ['delete', { partitionKey: credentialId, rowKey: sealedKey(write.generation) }];
      }
    });
    try {
      await this.#table.submitTransaction(actions);
    } catch (error) {
      // Deleting a sealed row that is already gone fails the batch; retry without it.
      const deletes = writes.filter((w) => w.kind === 'delete-sealed');
      if (statusCodeOf(error) === 404 && deletes.length > 0) {
        const present = await Promise.all(deletes.map((d) => this.getSealed(credentialId, d.generation)));
        const remaining = writes.filter(
          (w) => w.kind !== 'delete-sealed' || present[deletes.indexOf(w)] !== undefined,
        );
        if (remaining.length < writes.length) return this.commit(credentialId, etag, remaining);
      }
      throw storageError(error, this.tableName, `commit for ${credentialId}`);
    }
  }

  async #get(
    credentialId: string,
    rowKey: string,
  ): Promise<(Record<string, unknown> & { etag: string }) | undefined> {
    try {
      return await this.#table.getEntity(credentialId, rowKey);
    } catch (error) {
      if (statusCodeOf(error) === 404) return undefined;
      throw storageError(error, this.tableName, `read ${rowKey} of ${credentialId}`);
    }
  }

  async #range(credentialId: string, prefix: string): Promise<Record<string, unknown>[]> {
    const rows: Record<string, unknown>[] = [];
    try {
      for await (const row of this.#table.listEntities({
        queryOptions: { filter: rowKeyPrefixFilter(prefix, credentialId) },
      })) {
        rows.push(row);
      }
    } catch (error) {
      throw storageError(error, this.tableName, `list ${prefix} rows of ${credentialId}`);
    }
    return rows;
  }
}

const STATE_FIELDS = [
  'lastGeneration',
  'currentGeneration',
  'currentFingerprint',
  'currentSince',
  'previousGeneration',
  'previousFingerprint',
  'pendingGeneration',
  'pendingFingerprint',
  'lockRotationId',
  'lockToken',
  'lockAcquiredAt',
  'lastRotationId',
  'lastOutcome',
  'lastFinishedAt',
  'lastCompletedRotationId',
  'holdReason',
  'updatedAt',
] as const satisfies readonly (keyof CredentialState)[];

function toStateRow(state: CredentialState): Record<string, unknown> {
  // Replace semantics drop every property not written, so absent fields are simply left out.
  const row: Record<string, unknown> = {};
  for (const field of STATE_FIELDS) if (state[field] !== undefined) row[field] = state[field];
  return row;
}

function fromStateRow(credentialId: string, row: Record<string, unknown>): CredentialState {
  const state: Record<string, unknown> = { credentialId };
  for (const field of STATE_FIELDS) {
    if (row[field] !== undefined) state[field] = row[field];
  }
  state['lastGeneration'] = Number(row['lastGeneration'] ?? 0);
  return state as unknown as CredentialState;
}

function fromJsonRow<T>(row: Record<string, unknown>): T {
  if (typeof row['json'] !== 'string')
    throw new KeyturnError('integrity', 'An inventory row lost its content.');
  return JSON.parse(row['json']) as T;
}

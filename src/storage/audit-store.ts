import { createHash } from 'node:crypto';

import {
  odata,
  type TableClient,
  type TableEntity,
  type TableEntityResult,
  type TransactionAction,
} from '@azure/data-tables';

import {
  assertSealable,
  type AuditEntry,
  type AuditRecord,
  type ChainHead,
  ChainVerifier,
  EMPTY_HEAD,
  headOf,
  recordColumns,
  recordOfRow,
  sealRecords,
  seqKey,
  storedRecord,
  type VerifyOptions,
  type VerifyReport,
} from '../core/audit';
import { KeyturnError } from '../core/errors';
import { statusCodeOf, type TableProvider, TableRole } from './tables';

/** The audit trail the rotation activities write to. Every method fails closed with a KeyturnError. */
export interface AuditLog {
  /**
   * Records `entries` in order and returns their records. Atomic per transaction (up to
   * MAX_BATCH_EVENTS entries; a larger call is split, in order, and a retry completes it). An
   * eventId already recorded is not written again: its first record is returned. Throws
   * InvalidInputError (nothing written) for an entry the guard refuses, and KeyturnError
   * `unavailable` when the records could not be written; the caller must then make no change.
   * `integrity` means the stored chain contradicts its head (run verify).
   */
  append(entries: readonly AuditEntry[]): Promise<AuditRecord[]>;
  /** The last record's `{seq, hash}`; `{seq: -1, hash: GENESIS_HASH}` when the chain is empty. */
  head(): Promise<ChainHead>;
  /** Records from `fromSeq` on, in seq order, as stored: unverified, use verify() for evidence. */
  list(fromSeq?: number): AsyncIterable<AuditRecord>;
  /** Streams the chain through the verifier, page by page. `unavailable` if it cannot be read. */
  verify(options?: VerifyOptions): Promise<VerifyReport>;
}

/** The slice of TableClient the chain needs. */
export type AuditTable = Pick<
  TableClient,
  'tableName' | 'getEntity' | 'createEntity' | 'submitTransaction' | 'listEntities'
>;

export type TableAuditLogOptions = Readonly<{
  /** Partition that holds the chain; one chain per partition. */
  partition?: string;
  /** Transactions tried per batch while other writers keep moving the head. */
  maxAttempts?: number;
  /** Rows per page when streaming the chain. */
  pageSize?: number;
}>;

/** Table Storage takes 100 entities per transaction: two per record, plus the head. */
export const MAX_BATCH_EVENTS = 49;
const HEAD_KEY = 'head';
const VERIFY_ROUNDS = 10;

type LoadedHead = ChainHead & Readonly<{ etag: string }>;
type Row = TableEntityResult<Record<string, unknown>>;
type Pending = Readonly<{
  entries: readonly AuditEntry[];
  resolve: (records: AuditRecord[]) => void;
  reject: (error: unknown) => void;
}>;

/**
 * The chain in one partition of the `Audit` table:
 *
 * - `RowKey = <seq, 16 digits>`: a record (see core/audit/rows for its columns).
 * - `RowKey = head`: `{seq, hash}` of the last record. It moves in the same entity-group
 *   transaction as the records it covers, conditioned on its ETag, so concurrent writers (other
 *   instances) form one linear chain: a writer that lost the race gets 412 and re-seals.
 * - `RowKey = id-<sha256(eventId)>`: created with each record, so appending an eventId again
 *   fails the transaction with 409, which resolves to the first record.
 *
 * Every row keyed before `head` counts as a chain position, so verify() sees forged rows too.
 */
export class TableAuditLog implements AuditLog {
  readonly #table: AuditTable;
  readonly #partition: string;
  readonly #maxAttempts: number;
  readonly #pageSize: number;
  /** The head as this instance last wrote it; undefined means read it before the next attempt. */
  #head: LoadedHead | undefined;
  // One process's appends are queued and group-committed: they never race each other for the
  // head, and under load they share transactions.
  readonly #queue: Pending[] = [];
  #draining = false;

  constructor(tables: TableProvider | AuditTable, options: TableAuditLogOptions = {}) {
    this.#table = 'ensureTables' in tables ? tables.table(TableRole.Audit) : tables;
    this.#partition = options.partition ?? 'chain';
    this.#maxAttempts = options.maxAttempts ?? 20;
    this.#pageSize = options.pageSize ?? 1_000;
  }

  async append(entries: readonly AuditEntry[]): Promise<AuditRecord[]> {
    // Refused before queuing, so that one bad entry never fails a transaction shared with others.
    await assertSealable(entries);
    if (entries.length === 0) return [];
    return new Promise((resolve, reject) => {
      this.#queue.push({ entries, resolve, reject });
      void this.#drain();
    });
  }

  async head(): Promise<ChainHead> {
    const head = await this.#readHead();
    return head ? { seq: head.seq, hash: head.hash } : EMPTY_HEAD;
  }

  async *list(fromSeq = 0): AsyncIterable<AuditRecord> {
    for await (const row of this.#rows(fromSeq)) yield this.#recordOf(row);
  }

  async verify(options: VerifyOptions = {}): Promise<VerifyReport> {
    const verifier = new ChainVerifier(options);
    let next = options.after ? options.after.seq + 1 : undefined;
    // A scan is not a snapshot. When the head read after it is ahead of the scan, writers
    // appended meanwhile: read on from where the scan stopped. A round that finds nothing new
    // means the rows the head claims are missing.
    for (let round = 0; round < VERIFY_ROUNDS; round++) {
      let read = 0;
      for await (const row of this.#rows(next)) {
        const record = storedRecord(row.rowKey ?? '', withoutKeys(row));
        // finish() reports the failure push() recorded.
        if (!verifier.push(record)) return verifier.finish(undefined);
        next = record.seq + 1;
        read += 1;
      }
      let head: LoadedHead | undefined;
      try {
        head = await this.#readHead();
      } catch (error) {
        if (error instanceof KeyturnError && error.kind === 'integrity')
          return verifier.failHead(error.message);
        throw error;
      }
      if (read === 0 || (head?.seq ?? -1) < (next ?? 0)) return verifier.finish(head);
    }
    const table = this.#table.tableName;
    throw new KeyturnError('unavailable', `Table ${table}: audit chain kept growing during verify.`, {
      details: { table },
    });
  }

  async #drain(): Promise<void> {
    if (this.#draining) return;
    this.#draining = true;
    try {
      for (let group = takeGroup(this.#queue); group.length > 0; group = takeGroup(this.#queue)) {
        try {
          const records = await this.#commit(group.flatMap((pending) => pending.entries));
          let offset = 0;
          for (const pending of group) {
            pending.resolve(records.slice(offset, offset + pending.entries.length));
            offset += pending.entries.length;
          }
        } catch (error) {
          for (const pending of group) pending.reject(error);
        }
      }
    } finally {
      this.#draining = false;
    }
  }

  /** Records `entries` in transactions of ≤ 49; repeated eventIds resolve to one record. */
  async #commit(entries: readonly AuditEntry[]): Promise<AuditRecord[]> {
    const firsts = new Map<string, AuditEntry>();
    for (const entry of entries) if (!firsts.has(entry.eventId)) firsts.set(entry.eventId, entry);
    const unique = [...firsts.values()];
    const byId = new Map<string, AuditRecord>();
    for (let start = 0; start < unique.length; start += MAX_BATCH_EVENTS) {
      for (const record of await this.#commitBatch(unique.slice(start, start + MAX_BATCH_EVENTS))) {
        byId.set(record.eventId, record);
      }
    }
    return entries.map((entry) => byId.get(entry.eventId) as AuditRecord);
  }

  async #commitBatch(batch: readonly AuditEntry[]): Promise<AuditRecord[]> {
    const recorded = new Map<string, AuditRecord>();
    let pending = batch;
    for (let attempt = 1; attempt <= this.#maxAttempts && pending.length > 0; attempt++) {
      const head = this.#head ?? (await this.#loadHead());
      const records = await sealRecords(head, pending);
      const next = headOf(records, head);
      const actions: TransactionAction[] = [['update', this.#headRow(next), 'Replace', { etag: head.etag }]];
      for (const record of records) {
        actions.push(['create', this.#recordRow(record)], ['create', this.#indexRow(record)]);
      }
      try {
        const response = await this.#table.submitTransaction(actions);
        const etag = response.subResponses[0]?.etag;
        this.#head = etag === undefined ? undefined : { ...next, etag };
        for (const record of records) recorded.set(record.eventId, record);
        pending = [];
      } catch (error) {
        this.#head = undefined;
        const status = statusCodeOf(error);
        if (status === 412) {
          await contentionBackoff(attempt);
          continue;
        }
        if (status !== 409) throw unavailable(error, this.#table.tableName, 'append');
        const found = await this.#alreadyRecorded(pending, error);
        for (const record of found) recorded.set(record.eventId, record);
        pending = pending.filter((entry) => !recorded.has(entry.eventId));
      }
    }
    if (pending.length > 0) {
      throw new KeyturnError(
        'unavailable',
        `Table ${this.#table.tableName}: audit append gave up after ${this.#maxAttempts} attempts; other writers kept moving the head.`,
        { details: { table: this.#table.tableName, partition: this.#partition } },
      );
    }
    return batch.map((entry) => recorded.get(entry.eventId) as AuditRecord);
  }

  /** After a 409: the first records of those eventIds. None means a row sits past the head. */
  async #alreadyRecorded(entries: readonly AuditEntry[], conflict: unknown): Promise<AuditRecord[]> {
    const found = await Promise.all(
      entries.map(async (entry) => {
        const index = await this.#get(indexKey(entry.eventId), 'read eventId index');
        if (!index) return undefined;
        const row = await this.#get(String(index.recordKey), 'read record');
        if (!row) throw this.#integrity('an indexed audit record is missing', String(index.recordKey));
        return this.#recordOf(row);
      }),
    );
    const records = found.filter((record) => record !== undefined);
    if (records.length === 0) {
      throw this.#integrity(
        'the chain has rows past its head; run verify before appending',
        undefined,
        conflict,
      );
    }
    return records;
  }

  async #loadHead(): Promise<LoadedHead> {
    const head = await this.#readHead();
    if (head) return head;
    try {
      await this.#table.createEntity(this.#headRow(EMPTY_HEAD));
    } catch (error) {
      if (statusCodeOf(error) !== 409) throw unavailable(error, this.#table.tableName, 'create head');
    }
    const created = await this.#readHead();
    if (!created) throw unavailable(undefined, this.#table.tableName, 'read head');
    return created;
  }

  async #readHead(): Promise<LoadedHead | undefined> {
    const row = await this.#get(HEAD_KEY, 'read head');
    if (!row) return undefined;
    const seq = typeof row.seq === 'bigint' || typeof row.seq === 'number' ? Number(row.seq) : NaN;
    const { hash } = row;
    if (!Number.isSafeInteger(seq) || seq < -1 || typeof hash !== 'string' || !/^[0-9a-f]{64}$/.test(hash)) {
      throw this.#integrity('the head row is malformed', HEAD_KEY);
    }
    return { seq, hash, etag: row.etag };
  }

  async #get(rowKey: string, operation: string): Promise<Row | undefined> {
    try {
      return await this.#table.getEntity(this.#partition, rowKey);
    } catch (error) {
      // 404 for a missing row is an answer; for a missing table it is a failure.
      if (statusCodeOf(error) === 404 && !/TableNotFound/i.test(codeOf(error))) return undefined;
      throw unavailable(error, this.#table.tableName, operation);
    }
  }

  /** Rows from `fromSeq` on, or every row keyed before the head when undefined. */
  async *#rows(fromSeq: number | undefined): AsyncIterable<Row> {
    const filter =
      fromSeq === undefined
        ? odata`PartitionKey eq ${this.#partition} and RowKey lt ${HEAD_KEY}`
        : odata`PartitionKey eq ${this.#partition} and RowKey ge ${seqKey(fromSeq)} and RowKey lt ${HEAD_KEY}`;
    const pages = this.#table
      .listEntities({ queryOptions: { filter } })
      .byPage({ maxPageSize: this.#pageSize });
    try {
      for await (const page of pages) yield* page;
    } catch (error) {
      throw unavailable(error, this.#table.tableName, 'read chain');
    }
  }

  #recordOf(row: Row): AuditRecord {
    const record = recordOfRow(row);
    if (!record) throw this.#integrity('an audit row does not match its hash', row.rowKey);
    return record;
  }

  #headRow(head: ChainHead): TableEntity {
    // Int64, so the head's seq survives past 2^31 records.
    return { partitionKey: this.#partition, rowKey: HEAD_KEY, seq: BigInt(head.seq), hash: head.hash };
  }

  #recordRow(record: AuditRecord): TableEntity {
    return { ...recordColumns(record), partitionKey: this.#partition, rowKey: seqKey(record.seq) };
  }

  #indexRow(record: AuditRecord): TableEntity {
    const { eventId, seq } = record;
    return { partitionKey: this.#partition, rowKey: indexKey(eventId), recordKey: seqKey(seq), eventId };
  }

  #integrity(message: string, rowKey?: string, cause?: unknown): KeyturnError {
    const table = this.#table.tableName;
    return new KeyturnError('integrity', `Table ${table}: audit ${message}.`, {
      retryable: false,
      ...(cause !== undefined && { cause }),
      details: { table, partition: this.#partition, ...(rowKey !== undefined && { rowKey }) },
    });
  }
}

/** Whole requests, up to one transaction's worth; a larger request goes alone and is split. */
function takeGroup(queue: Pending[]): Pending[] {
  const group: Pending[] = [];
  let events = 0;
  for (let next = queue[0]; next !== undefined; next = queue[0]) {
    if (group.length > 0 && events + next.entries.length > MAX_BATCH_EVENTS) break;
    group.push(next);
    events += next.entries.length;
    queue.shift();
  }
  return group;
}

// Event ids contain `/`, which row keys may not; a digest also fixes the key's length.
function indexKey(eventId: string): string {
  return `id-${createHash('sha256').update(eventId).digest('hex')}`;
}

const SDK_FIELDS = new Set(['partitionKey', 'rowKey', 'etag', 'timestamp', 'odata.metadata', 'odata.etag']);

function withoutKeys(row: Row): Record<string, unknown> {
  const columns: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(row)) if (!SDK_FIELDS.has(name)) columns[name] = value;
  return columns;
}

/**
 * After losing the head to another instance: a short random pause (full jitter, capped at 100 ms)
 * so that several instances colliding on one chain spread out instead of colliding again.
 */
function contentionBackoff(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(100, 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function codeOf(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
}

/** Audit fails closed: a storage failure is `unavailable` and names the table. */
function unavailable(error: unknown, table: string, operation: string): KeyturnError {
  const status = statusCodeOf(error);
  return new KeyturnError(
    'unavailable',
    `Table ${table}: audit ${operation} failed (${status ?? 'no response'}); make no change without its record.`,
    { cause: error, details: { table, operation, ...(status !== undefined && { status }) } },
  );
}

import type { TableClient } from '@azure/data-tables';

import type { AuditRecord } from '../../src/core/audit';
import { type AuditTable, TableAuditLog, type TableAuditLogOptions } from '../../src/storage/audit-store';
import { tableClient, uniqueTableName } from '../support/tables';

export async function freshTable(): Promise<TableClient> {
  const client = tableClient(uniqueTableName('audit'));
  await client.createTable();
  return client;
}

export async function freshLog(
  options?: TableAuditLogOptions,
): Promise<{ client: TableClient; log: TableAuditLog }> {
  const client = await freshTable();
  return { client, log: new TableAuditLog(client, options) };
}

export async function listAll(log: TableAuditLog, fromSeq?: number): Promise<AuditRecord[]> {
  const records: AuditRecord[] = [];
  for await (const record of log.list(fromSeq)) records.push(record);
  return records;
}

/** Every row of the table (head and index rows included), values as the service's text. */
export async function rawRows(client: TableClient): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for await (const row of client.listEntities({ disableTypeConversion: true })) {
    rows.push(row);
  }
  return rows;
}

/**
 * The real table with `submitTransaction` replaced, for faults Azurite cannot produce on demand
 * (a lost response, a failure between the transactions of a split append, endless contention).
 */
export function withTransactions(client: TableClient, submit: AuditTable['submitTransaction']): AuditTable {
  return {
    tableName: client.tableName,
    getEntity: client.getEntity.bind(client),
    createEntity: client.createEntity.bind(client),
    listEntities: client.listEntities.bind(client),
    submitTransaction: submit,
  };
}

/** What the Azure SDK throws for an HTTP failure: only the status matters to the store. */
export function httpError(statusCode: number): Error {
  return Object.assign(new Error(`simulated ${statusCode}`), { statusCode });
}

import { odata, TableClient, type TableServiceClientOptions } from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';

import { KeyturnError } from '../core/errors';

/** The tables keyturn keeps, by role; their names get the installation's prefix. */
export const TableRole = {
  Inventory: 'Inventory',
  Generations: 'Generations',
  Rotations: 'Rotations',
  Audit: 'Audit',
  ManagedKeys: 'ManagedKeys',
  Sealed: 'Sealed',
} as const;
export type TableRoleName = (typeof TableRole)[keyof typeof TableRole];

/** Creates clients for keyturn's tables in one storage account. */
export interface TableProvider {
  table(role: TableRoleName): TableClient;
  /** Creates every table that does not exist yet. */
  ensureTables(): Promise<void>;
}

export type StorageConnection =
  | { readonly kind: 'connection-string'; readonly connectionString: string }
  | { readonly kind: 'identity'; readonly tableServiceUri: string; readonly credential: TokenCredential };

export function createTableProvider(
  connection: StorageConnection,
  prefix: string,
  clientOptions: TableServiceClientOptions = {},
): TableProvider {
  const cache = new Map<string, TableClient>();
  const options: TableServiceClientOptions = {
    // Bounded, jittered exponential backoff on throttling and transient failures.
    retryOptions: { maxRetries: 4, retryDelayInMs: 200, maxRetryDelayInMs: 5_000 },
    ...clientOptions,
    // Azurite (the local default) speaks plain HTTP on loopback; Azure endpoints are HTTPS.
    allowInsecureConnection:
      connection.kind === 'connection-string' &&
      /127\.0\.0\.1|localhost|UseDevelopmentStorage=true/.test(connection.connectionString),
  };
  const table = (role: TableRoleName): TableClient => {
    const name = `${prefix}${role}`;
    let client = cache.get(name);
    if (!client) {
      client =
        connection.kind === 'connection-string'
          ? TableClient.fromConnectionString(connection.connectionString, name, options)
          : new TableClient(connection.tableServiceUri, name, connection.credential, options);
      cache.set(name, client);
    }
    return client;
  };
  return {
    table,
    async ensureTables() {
      await Promise.all(Object.values(TableRole).map((role) => table(role).createTable()));
    },
  };
}

/** HTTP status of an Azure SDK error, if it has one. */
export function statusCodeOf(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null && 'statusCode' in error
    ? Number(error.statusCode)
    : undefined;
}

/**
 * Maps a storage failure to a KeyturnError naming the table and operation: 429/5xx and network
 * errors are retryable `unavailable`; 412 is a `conflict` (someone else changed the row).
 */
export function storageError(error: unknown, table: string, operation: string): KeyturnError {
  const status = statusCodeOf(error);
  if (status === 412 || status === 409) {
    return new KeyturnError('conflict', `Table ${table}: ${operation} conflicted with a concurrent change.`, {
      cause: error,
      details: { table, status },
    });
  }
  if (status === 404) {
    return new KeyturnError('not-found', `Table ${table}: ${operation} found nothing.`, {
      cause: error,
      details: { table },
    });
  }
  return new KeyturnError(
    'unavailable',
    `Table ${table}: ${operation} failed (${status ?? 'no response'}).`,
    {
      cause: error,
      details: { table, ...(status !== undefined && { status }) },
    },
  );
}

/**
 * An OData filter for the rows whose RowKey starts with `prefix`, in one partition or in all:
 * a range scan, which Table Storage serves without reading the rest of the partition.
 */
export function rowKeyPrefixFilter(prefix: string, partitionKey?: string): string {
  const upper = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
  return partitionKey === undefined
    ? odata`RowKey ge ${prefix} and RowKey lt ${upper}`
    : odata`PartitionKey eq ${partitionKey} and RowKey ge ${prefix} and RowKey lt ${upper}`;
}

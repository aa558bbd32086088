import { randomBytes } from 'node:crypto';

import { TableClient } from '@azure/data-tables';
import { inject } from 'vitest';

/** A table on the run's Azurite with a name no other test uses. */
export function uniqueTableName(prefix = 't'): string {
  return `${prefix}${randomBytes(6).toString('hex')}`;
}

export function azuriteConnectionString(): string {
  return inject('azuriteConnectionString');
}

export function tableClient(name: string): TableClient {
  return TableClient.fromConnectionString(azuriteConnectionString(), name, { allowInsecureConnection: true });
}

import { TableClient, TableServiceClient } from '@azure/data-tables';
import { expect } from 'vitest';

import type { Harness } from './harness';
import { azuriteConnectionString } from './tables';

/** The encodings a key could leak in. */
export function leakForms(key: string): string[] {
  const body = key.slice(key.indexOf('_') + 1);
  return [
    key,
    body,
    Buffer.from(key).toString('base64'),
    Buffer.from(key).toString('base64url'),
    Buffer.from(key).toString('hex'),
  ];
}

/** Every entity of every table of this harness, as text (task hub history included). */
export async function allStoredRows(h: Harness): Promise<string[]> {
  const options = { allowInsecureConnection: true };
  const service = TableServiceClient.fromConnectionString(azuriteConnectionString(), options);
  const rows: string[] = [];
  for await (const table of service.listTables()) {
    if (!table.name?.startsWith(h.tablePrefix)) continue;
    const client = TableClient.fromConnectionString(azuriteConnectionString(), table.name, options);
    for await (const entity of client.listEntities())
      rows.push(
        `${table.name} ${JSON.stringify(entity, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`,
      );
  }
  return rows;
}

export function expectNoKeyIn(
  haystack: readonly string[],
  keys: readonly string[],
  where: string,
  options: { allowNone?: boolean } = {},
): void {
  if (!options.allowNone) expect(keys.length, 'there are keys to look for').toBeGreaterThan(0);
  for (const key of keys) {
    for (const form of leakForms(key)) {
      expect(
        haystack.some((text) => text.includes(form)),
        `a key (or an encoding of it) appears in ${where}`,
      ).toBe(false);
    }
  }
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { TableRole } from '../../src/storage/tables';
import type { Harness } from './harness';

/**
 * Everything a rotation step can change, in a comparable form: the credential's partition, the
 * managed issuer's rows, the audit chain's length and the target files. Row metadata that the
 * service stamps on every write (ETag, Timestamp) is left out; everything keyturn writes is in.
 */
export async function stateSnapshot(h: Harness, credentialId: string): Promise<unknown> {
  const rows = async (role: (typeof TableRole)[keyof typeof TableRole], filter?: string) => {
    const out: Record<string, unknown> = {};
    const table = h.keyturn.tables.table(role);
    for await (const row of table.listEntities(filter ? { queryOptions: { filter } } : undefined)) {
      const { etag: _etag, timestamp: _timestamp, ...rest } = row;
      out[`${String(row.partitionKey)}/${String(row.rowKey)}`] = rest;
    }
    return out;
  };
  const file = (name: string): string | undefined => {
    try {
      return readFileSync(join(h.dir, name), 'utf8');
    } catch {
      return undefined;
    }
  };
  return {
    inventory: await rows(TableRole.Inventory, `PartitionKey eq '${credentialId}'`),
    managedKeys: await rows(TableRole.ManagedKeys),
    auditLength: (await h.keyturn.services.verifyAudit()).checked,
    files: { env: file('client.env'), json: file('appsettings.json') },
  };
}

import { describe, expect, it } from 'vitest';

import { auditSink } from '../../src/rotation/audit-sink';
import { TableAuditLog } from '../../src/storage/audit-store';
import { ManualClock } from '../support/clock';
import { tableClient, uniqueTableName } from '../support/tables';

describe('the workflow audit sink', () => {
  it('records a failure whose message looks like a credential, withholding only that text', async () => {
    const table = tableClient(uniqueTableName('aud'));
    await table.createTable();
    const log = new TableAuditLog(table);
    const sink = auditSink(log, new ManualClock());
    const leaky =
      'Request to https://acct.table.core.windows.net failed: AccountKey=c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0';
    await sink.record([
      {
        eventId: 'r1/failed',
        type: 'rotation.failed',
        actor: 'system:keyturn',
        credentialId: 'orders',
        reason: leaky,
        details: { target: 'file:/etc/x.env#KEY', error: leaky },
      },
    ]);
    const records = [];
    for await (const record of log.list()) records.push(record);
    expect(records).toHaveLength(1);
    const text = JSON.stringify(records[0]);
    expect(text).not.toContain('AccountKey=');
    expect(records[0]?.reason).toContain('withheld');
    expect(records[0]?.credentialId).toBe('orders');
    expect((await log.verify()).ok).toBe(true);
  });

  it('clips very long reasons instead of refusing the record', async () => {
    const table = tableClient(uniqueTableName('aud'));
    await table.createTable();
    const log = new TableAuditLog(table);
    await auditSink(log, new ManualClock()).record([
      { eventId: 'r2/failed', type: 'rotation.failed', actor: 'system:keyturn', reason: 'x'.repeat(10_000) },
    ]);
    const head = await log.head();
    expect(head.seq).toBe(0);
  });
});

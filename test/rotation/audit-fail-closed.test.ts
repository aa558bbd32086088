import { statSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { DEV_ACCOUNT_KEY, DEV_ACCOUNT_NAME } from '../../src/local/azurite';
import { TableAuditLog } from '../../src/storage/audit-store';
import { createTableProvider } from '../../src/storage/tables';
import { DAY, MINUTE } from '../support/clock';
import { CREDENTIAL, Harness } from '../support/harness';
import { acceptedAtIssuer } from '../support/invariants';

/** An audit table on a port nothing listens on: every write fails like an outage would. */
function unreachableAudit(): TableAuditLog {
  const connectionString = `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT_NAME};AccountKey=${DEV_ACCOUNT_KEY};TableEndpoint=http://127.0.0.1:1/${DEV_ACCOUNT_NAME}`;
  return new TableAuditLog(
    createTableProvider({ kind: 'connection-string', connectionString }, 'unreachable', {
      retryOptions: { maxRetries: 0 },
    }),
  );
}

describe('audit fails closed', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
  });

  it('stops a rotation before its first target write when the audit table is unavailable', async () => {
    h = await Harness.start();
    await h.api('POST', `/credentials/${CREDENTIAL}/rotate`, { reason: 'onboarding' });
    await h.drain();
    const envFile = join(h.dir, 'client.env');
    const before = statSync(envFile);
    const { state: stateBefore } = await h.services.credentials.getState(CREDENTIAL);

    await h.restart({ audit: () => unreachableAudit() });
    h.clock.advance(24 * DAY);
    const started = await h.api('POST', `/credentials/${CREDENTIAL}/rotate`, {
      reason: 'while audit is down',
    });
    expect(started.status).toBe(202);
    for (let i = 0; i < 10; i++) {
      await h.drain();
      h.clock.advance(10 * MINUTE);
    }

    const status = await h.keyturn.host.engine.getMeta(`${CREDENTIAL}.g2`);
    expect(status?.status).toBe('Completed');
    const output = JSON.parse(status?.output ?? '{}') as { outcome?: string; error?: string };
    expect(output.outcome).toBe('failed');
    expect(output.error).toMatch(/Audit|audit/);
    const after = statSync(envFile);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(after.ino).toBe(before.ino);
    expect(await acceptedAtIssuer(h, CREDENTIAL)).toEqual([1]);
    const { state } = await h.services.credentials.getState(CREDENTIAL);
    expect(state).toEqual(stateBefore);
  });
});

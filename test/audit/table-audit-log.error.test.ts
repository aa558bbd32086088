import { AzureNamedKeyCredential, TableClient } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';

import { EMPTY_HEAD, seqKey } from '../../src/core/audit';
import { InvalidInputError, KeyturnError } from '../../src/core/errors';
import { DEV_ACCOUNT_KEY, DEV_ACCOUNT_NAME } from '../../src/local/azurite';
import { TableAuditLog } from '../../src/storage/audit-store';
import { tableClient, uniqueTableName } from '../support/tables';
import { entries, entry } from './support';
import { freshLog, httpError, listAll, rawRows, withTransactions } from './table-support';

function unreachableTable(): TableClient {
  return new TableClient(
    `http://127.0.0.1:1/${DEV_ACCOUNT_NAME}`,
    'unreachableAudit',
    new AzureNamedKeyCredential(DEV_ACCOUNT_NAME, DEV_ACCOUNT_KEY),
    { allowInsecureConnection: true, retryOptions: { maxRetries: 0 } },
  );
}

async function rejection(promise: Promise<unknown>): Promise<KeyturnError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof KeyturnError)) throw new Error(`expected a KeyturnError, got ${String(error)}`);
  return error;
}

describe('Table Storage audit log failures', () => {
  it('fails closed with unavailable, naming the table, when the table service is unreachable', async () => {
    const log = new TableAuditLog(unreachableTable());

    const appended = await rejection(log.append([entry(0)]));

    expect(appended).toMatchObject({ kind: 'unavailable', retryable: true });
    expect(appended.message).toContain('unreachableAudit');
    expect(await rejection(log.head())).toMatchObject({ kind: 'unavailable' });
    expect(await rejection(log.verify())).toMatchObject({ kind: 'unavailable' });
  });

  it('fails closed with unavailable when the audit table does not exist', async () => {
    const log = new TableAuditLog(tableClient(uniqueTableName('missing')));

    expect(await rejection(log.append([entry(0)]))).toMatchObject({ kind: 'unavailable' });
  });

  it('refuses an invalid entry before writing anything, without failing other callers', async () => {
    const { client, log } = await freshLog();
    const invalid = { ...entry(1), type: 'key.exfiltrated' } as unknown as ReturnType<typeof entry>;

    await expect(log.append([entry(0), invalid])).rejects.toBeInstanceOf(InvalidInputError);
    expect(await rawRows(client)).toEqual([]);

    const settled = await Promise.allSettled([
      log.append([entry(2)]),
      log.append([invalid]),
      log.append([entry(3)]),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((await listAll(log)).map((r) => r.eventId)).toEqual([entry(2).eventId, entry(3).eventId]);
  });

  it('keeps one record when a transaction committed but its response was lost, and the caller retried', async () => {
    const { client } = await freshLog();
    const lossy = new TableAuditLog(
      withTransactions(client, async (actions) => {
        await client.submitTransaction(actions);
        throw httpError(503);
      }),
    );

    expect(await rejection(lossy.append(entries(3)))).toMatchObject({ kind: 'unavailable' });
    const retried = await new TableAuditLog(client).append(entries(3));

    expect(retried.map((r) => r.seq)).toEqual([0, 1, 2]);
    expect(await listAll(new TableAuditLog(client))).toEqual(retried);
  });

  it('keeps the transactions of a split append that succeeded, and a retry completes it once', async () => {
    const { client } = await freshLog();
    let calls = 0;
    const failsSecond = new TableAuditLog(
      withTransactions(client, (actions) => {
        calls += 1;
        return calls === 2 ? Promise.reject(httpError(500)) : client.submitTransaction(actions);
      }),
    );

    expect(await rejection(failsSecond.append(entries(100)))).toMatchObject({ kind: 'unavailable' });
    const log = new TableAuditLog(client);
    expect((await listAll(log)).length).toBe(49);

    const completed = await log.append(entries(100));

    expect(completed.map((r) => r.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(await log.verify()).toMatchObject({ ok: true, checked: 100 });
  });

  it('gives up with unavailable when other writers keep moving the head', async () => {
    const { client } = await freshLog();
    let attempts = 0;
    const starved = new TableAuditLog(
      withTransactions(client, () => {
        attempts += 1;
        return Promise.reject(httpError(412));
      }),
      { maxAttempts: 3 },
    );

    expect(await rejection(starved.append([entry(0)]))).toMatchObject({ kind: 'unavailable' });
    expect(attempts).toBe(3);
  });

  it('refuses to append past a row that sits beyond the head', async () => {
    const { client, log } = await freshLog();
    const [record] = await log.append([entry(0)]);
    await client.createEntity({ partitionKey: 'chain', rowKey: seqKey(1), payload: '{}' });

    expect(await rejection(log.append([entry(1)]))).toMatchObject({ kind: 'integrity', retryable: false });
    expect(await log.head()).toEqual({ seq: 0, hash: record?.hash });
  });

  it('treats a head row it cannot read as an integrity failure, and verify reports it', async () => {
    const { client, log } = await freshLog();
    await client.createEntity({ partitionKey: 'chain', rowKey: 'head', seq: 'zero', hash: 'not a hash' });

    expect(await rejection(log.head())).toMatchObject({ kind: 'integrity' });
    expect(await rejection(log.append([entry(0)]))).toMatchObject({ kind: 'integrity' });
    expect(await log.verify()).toMatchObject({ ok: false, checked: 0, problem: 'head' });
  });

  it('starts a chain whose head row was never written from genesis', async () => {
    const { log } = await freshLog();

    expect(await log.head()).toEqual(EMPTY_HEAD);
    expect((await log.append([entry(0)]))[0]?.seq).toBe(0);
  });
});

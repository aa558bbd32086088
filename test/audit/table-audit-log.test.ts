import { describe, expect, it } from 'vitest';

import { EMPTY_HEAD, headOf } from '../../src/core/audit';
import { TableAuditLog } from '../../src/storage/audit-store';
import { createTableProvider } from '../../src/storage/tables';
import { azuriteConnectionString, uniqueTableName } from '../support/tables';
import { entries, entry } from './support';
import { freshLog, freshTable, listAll } from './table-support';

describe('Table Storage audit log', () => {
  it('appends events as one chain that lists and verifies end to end', async () => {
    const { log } = await freshLog();

    const first = await log.append(entries(3));
    const second = await log.append(entries(2, 3));
    const records = [...first, ...second];

    expect(records.map((r) => r.seq)).toEqual([0, 1, 2, 3, 4]);
    expect(await listAll(log)).toEqual(records);
    expect(await log.head()).toEqual(headOf(records));
    expect(await log.verify()).toEqual({ ok: true, checked: 5, head: headOf(records) });
  });

  it('reads a chain nobody has written to as empty', async () => {
    const { log } = await freshLog();

    expect(await log.head()).toEqual(EMPTY_HEAD);
    expect(await listAll(log)).toEqual([]);
    expect(await log.verify()).toMatchObject({ ok: true, checked: 0 });
    expect(await log.append([])).toEqual([]);
  });

  it('keeps text, numbers and booleans in details exactly as given', async () => {
    const { log } = await freshLog();
    const event = entry(0, {
      reason: 'clé "quoted" \\ 😀',
      details: { ratio: 0.1, big: 2 ** 40, ok: false, text: 'é€' },
    });

    const [record] = await log.append([event]);

    expect(record).toMatchObject(event);
    expect((await listAll(log))[0]).toEqual(record);
    expect((await log.verify()).ok).toBe(true);
  });

  it('splits an append of more than one transaction into ordered transactions', async () => {
    const { log } = await freshLog();

    const records = await log.append(entries(130));

    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 130 }, (_, i) => i));
    expect(records.map((r) => r.eventId)).toEqual(entries(130).map((e) => e.eventId));
    expect(await log.verify()).toMatchObject({ ok: true, checked: 130 });
  });

  it('records an eventId once and returns the first record to every later append of it', async () => {
    const { log } = await freshLog();
    const original = entry(7);
    const retried = { ...original, at: '2027-01-01T00:00:00.000Z' };

    const [first] = await log.append([original]);
    const [again] = await log.append([retried]);
    const mixed = await log.append([entry(8), retried, entry(8)]);

    expect(again).toEqual(first);
    expect(mixed[1]).toEqual(first);
    expect(mixed[0]).toEqual(mixed[2]);
    expect((await listAll(log)).map((r) => r.eventId)).toEqual([original.eventId, entry(8).eventId]);
    expect(await log.verify()).toMatchObject({ ok: true, checked: 2 });
  });

  it('builds one gapless chain from two instances appending concurrently, duplicates included', async () => {
    const client = await freshTable();
    const writers = [new TableAuditLog(client), new TableAuditLog(client)];
    // 60 appends of 1–3 events; every fifth repeats an eventId the other instance also appends.
    const appends = Array.from({ length: 60 }, (_, i) => {
      const size = 1 + (i % 3);
      const batch = entries(size, i * 3);
      return i % 5 === 0 ? [entry(10_000 + i), ...batch] : batch;
    });
    const duplicates = appends.filter((_, i) => i % 5 === 0).map((batch) => [batch[0] ?? entry(0)]);

    const results = await Promise.all(
      [...appends, ...duplicates].map((batch, i) => (writers[i % 2] as TableAuditLog).append(batch)),
    );

    const listed = await listAll(writers[0] as TableAuditLog);
    const expectedIds = new Set([...appends, ...duplicates].flat().map((e) => e.eventId));
    expect(listed.map((r) => r.seq)).toEqual(Array.from({ length: expectedIds.size }, (_, i) => i));
    expect(new Set(listed.map((r) => r.eventId))).toEqual(expectedIds);
    const byId = new Map(listed.map((r) => [r.eventId, r]));
    for (const record of results.flat()) expect(record).toEqual(byId.get(record.eventId));
    expect(await writers[1]?.verify()).toMatchObject({ ok: true, checked: expectedIds.size });
  });

  it('serializes twelve instances that each append at the same moment', async () => {
    const client = await freshTable();

    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => new TableAuditLog(client).append(entries(2, i * 2))),
    );

    expect(
      results
        .flat()
        .map((r) => r.seq)
        .sort((a, b) => a - b),
    ).toEqual(Array.from({ length: 24 }, (_, i) => i));
    expect(await new TableAuditLog(client).verify()).toMatchObject({ ok: true, checked: 24 });
  });

  it('lists from a given seq and resumes verification after a head verified earlier', async () => {
    const { log } = await freshLog();
    await log.append(entries(5));
    const earlier = await log.verify();
    await log.append(entries(4, 5));

    expect((await listAll(log, 6)).map((r) => r.seq)).toEqual([6, 7, 8]);
    expect(await log.verify({ after: earlier.head })).toMatchObject({ ok: true, checked: 4 });
    expect(await log.verify({ anchor: earlier.head })).toMatchObject({ ok: true, checked: 9 });
  });

  it('writes to the Audit table of a table provider', async () => {
    const prefix = uniqueTableName('kt');
    const tables = createTableProvider(
      { kind: 'connection-string', connectionString: azuriteConnectionString() },
      prefix,
    );
    await tables.ensureTables();
    const log = new TableAuditLog(tables);

    await log.append([entry(0)]);

    const rows = tables.table('Audit').listEntities();
    expect((await rows.next()).value).toBeDefined();
    expect(tables.table('Audit').tableName).toBe(`${prefix}Audit`);
  });
});

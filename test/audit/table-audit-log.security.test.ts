import { randomBytes } from 'node:crypto';

import type { TableClient } from '@azure/data-tables';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  type AuditEntry,
  AuditEventType,
  type AuditRecord,
  type ChainProblem,
  linkHash,
  seqKey,
} from '../../src/core/audit';
import { InvalidInputError } from '../../src/core/errors';
import { SecretValue } from '../../src/core/secret';
import { Keyring } from '../../src/crypto/keyring';
import { TableAuditLog } from '../../src/storage/audit-store';
import { forgeEdit, randomHash } from './mutations';
import { entries, entry, SEED } from './support';
import { freshLog, listAll, rawRows } from './table-support';

type Row = Record<string, unknown> & { partitionKey: string; rowKey: string };

/** Tampering with the table directly, as anyone holding the account key could. */
type TableMutation =
  | { kind: 'edit-payload' | 'edit-hash' | 'edit-prev-hash' | 'delete'; at: number }
  | { kind: 'edit-column'; at: number; how: 'change' | 'add' | 'remove' }
  | { kind: 'insert-after-head' | 'delete-head' }
  | { kind: 'insert-between'; at: number }
  | { kind: 'swap'; at: number; other: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'rewrite-head'; how: 'hash' | 'lower' | 'higher'; at: number }
  | { kind: 'rechain-without-head'; at: number };

function tableMutation(n: number): fc.Arbitrary<TableMutation> {
  const at = fc.nat(n - 1);
  return fc.oneof(
    fc.record({ kind: fc.constantFrom('edit-payload', 'edit-hash', 'edit-prev-hash', 'delete'), at }),
    fc.record({ kind: fc.constant('edit-column'), at, how: fc.constantFrom('change', 'add', 'remove') }),
    fc.record({ kind: fc.constantFrom('insert-after-head', 'delete-head') }),
    fc.record({ kind: fc.constant('insert-between'), at: fc.nat(n - 2) }),
    fc
      .tuple(at, at)
      .filter(([a, b]) => a !== b)
      .map(([a, b]) => ({ kind: 'swap' as const, at: Math.min(a, b), other: Math.max(a, b) })),
    fc.record({ kind: fc.constant('truncate'), at }),
    fc.record({ kind: fc.constant('rewrite-head'), how: fc.constantFrom('hash', 'lower', 'higher'), at }),
    fc.record({ kind: fc.constant('rechain-without-head'), at }),
  );
}

/** Applies `mutation` to the table and returns the report the verifier owes it. */
async function tamperTable(
  client: TableClient,
  records: readonly AuditRecord[],
  mutation: TableMutation,
): Promise<{ firstBadSeq: number; problem: ChainProblem }> {
  const n = records.length;
  const last = n - 1;
  const row = (seq: number): Promise<Row> => client.getEntity('chain', seqKey(seq));
  const replace = (entity: Row): Promise<unknown> => client.updateEntity(entity, 'Replace');
  const forgedRow = (seq: number, prevHash: string, rowKey = seqKey(seq)): Row => {
    const event = entry(500_000 + seq, { actor: 'user:mallory' });
    const payload = JSON.stringify({ ...event, seq });
    const { details, ...columns } = event;
    return {
      ...columns,
      details: JSON.stringify(details),
      partitionKey: 'chain',
      rowKey,
      prevHash,
      payload,
      hash: linkHash(prevHash, payload),
    };
  };
  const record = (seq: number): AuditRecord => records[seq] as AuditRecord;

  switch (mutation.kind) {
    case 'edit-payload': {
      const target = await row(mutation.at);
      await replace({ ...target, payload: String(target.payload).replace('"actor":"', '"actor":"x') });
      return { firstBadSeq: mutation.at, problem: 'hash' };
    }
    case 'edit-column': {
      const { credentialId: _removed, ...target } = await row(mutation.at);
      const edited =
        mutation.how === 'change'
          ? { ...target, credentialId: _removed, actor: 'user:mallory' }
          : mutation.how === 'add'
            ? { ...target, credentialId: _removed, approvedBy: 'user:mallory' }
            : target;
      await replace(edited);
      return { firstBadSeq: mutation.at, problem: 'columns' };
    }
    case 'edit-hash':
      await replace({ ...(await row(mutation.at)), hash: randomHash() });
      return { firstBadSeq: mutation.at, problem: 'hash' };
    case 'edit-prev-hash':
      await replace({ ...(await row(mutation.at)), prevHash: randomHash() });
      return { firstBadSeq: mutation.at, problem: 'link' };
    case 'delete':
      await client.deleteEntity('chain', seqKey(mutation.at));
      return mutation.at === last
        ? { firstBadSeq: last, problem: 'head' }
        : { firstBadSeq: mutation.at, problem: 'sequence' };
    case 'insert-after-head':
      await client.createEntity(forgedRow(n, record(last).hash));
      return { firstBadSeq: n, problem: 'head' };
    case 'insert-between':
      // A key that sorts between two records: it takes the next record's place in the scan.
      await client.createEntity(
        forgedRow(mutation.at + 1, record(mutation.at).hash, `${seqKey(mutation.at)}5`),
      );
      return { firstBadSeq: mutation.at + 1, problem: 'sequence' };
    case 'delete-head':
      await client.deleteEntity('chain', 'head');
      return { firstBadSeq: 0, problem: 'head' };
    case 'swap': {
      const [a, b] = await Promise.all([row(mutation.at), row(mutation.other)]);
      await replace({ ...b, rowKey: a.rowKey, etag: a.etag });
      await replace({ ...a, rowKey: b.rowKey, etag: b.etag });
      return { firstBadSeq: mutation.at, problem: 'link' };
    }
    case 'truncate':
      for (let seq = mutation.at; seq < n; seq++) await client.deleteEntity('chain', seqKey(seq));
      return { firstBadSeq: mutation.at, problem: 'head' };
    case 'rewrite-head': {
      const { how, at } = mutation;
      if (how === 'lower' && at < last) {
        await client.updateEntity(
          { partitionKey: 'chain', rowKey: 'head', seq: BigInt(at), hash: record(at).hash },
          'Merge',
        );
        return { firstBadSeq: at + 1, problem: 'head' };
      }
      const seq = how === 'higher' ? BigInt(n + at) : BigInt(last);
      await client.updateEntity({ partitionKey: 'chain', rowKey: 'head', seq, hash: randomHash() }, 'Merge');
      return { firstBadSeq: how === 'higher' ? n : last, problem: 'head' };
    }
    case 'rechain-without-head': {
      let prevHash = record(mutation.at).prevHash;
      for (let seq = mutation.at; seq < n; seq++) {
        const stored = await row(seq);
        const edited =
          seq === mutation.at ? forgeEdit({ ...record(seq), payload: String(stored.payload) }) : undefined;
        const payload = edited?.payload ?? String(stored.payload);
        const hash = linkHash(prevHash, payload);
        await replace({ ...stored, ...(edited && { actor: edited.actor }), payload, prevHash, hash });
        prevHash = hash;
      }
      return { firstBadSeq: last, problem: 'head' };
    }
  }
}

describe('Table Storage audit log security', () => {
  it('detects every kind of tampering with the table at the first bad seq', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 3, max: 16 }).chain((n) => fc.tuple(fc.constant(n), tableMutation(n))),
        async ([n, mutation]) => {
          const { client, log } = await freshLog();
          const records = await log.append(entries(n));
          expect((await log.verify()).ok).toBe(true);

          const expected = await tamperTable(client, records, mutation);

          expect(await log.verify()).toMatchObject({ ok: false, ...expected });
        },
      ),
      { numRuns: 80, seed: SEED },
    );
  });

  it('stores the fingerprint of a key and never the key, in any encoding', async () => {
    const { client, log } = await freshLog();
    const canary = randomBytes(32);
    const key = new SecretValue(canary.toString('base64'));
    const fingerprint = new Keyring(randomBytes(32)).fingerprint(key);
    const about = { credentialId: 'payments-api', rotationId: 'rot-1', generation: 2, fingerprint };

    await log.append([
      { ...entry(0), ...about, type: AuditEventType.KeyGenerated, details: { issuer: 'managed' } },
      { ...entry(1), ...about, type: AuditEventType.KeyDistributed },
      { ...entry(2), ...about, type: AuditEventType.GenerationPromoted },
    ]);

    const text = JSON.stringify(await rawRows(client));
    expect(text).toContain(fingerprint);
    for (const form of [canary.toString('base64'), canary.toString('base64url'), canary.toString('hex')]) {
      expect(text).not.toContain(form);
    }
  });

  it('refuses key material passed by mistake, writes nothing and echoes none of it', async () => {
    const { client, log } = await freshLog();
    const raw = randomBytes(32).toString('base64');
    const secret = new SecretValue(raw);
    const mistakes: [string, AuditEntry][] = [
      ['a detail named like a secret', { ...entry(0), details: { value: 'anything' } }],
      ['a key in a detail', { ...entry(0), details: { target: raw } }],
      ['a key in the reason', { ...entry(0), reason: `distribution failed for key ${raw}` }],
      ['an interpolated SecretValue', { ...entry(0), reason: `failed with ${String(secret)}` }],
      ['a SecretValue as a detail', { ...entry(0), details: { target: secret as unknown as string } }],
      ['a key as the fingerprint', { ...entry(0), fingerprint: raw }],
      ['a key in an extra field', { ...entry(0), key: raw } as AuditEntry],
      [
        'a connection string',
        { ...entry(0), details: { target: `DefaultEndpointsProtocol=https;AccountKey=${raw}` } },
      ],
    ];

    for (const [name, mistake] of mistakes) {
      const error = await log.append([mistake]).then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error, name).toBeInstanceOf(InvalidInputError);
      expect(
        JSON.stringify({
          message: (error as InvalidInputError).message,
          issues: (error as InvalidInputError).issues,
        }),
      ).not.toContain(raw);
    }
    expect(await rawRows(client)).toEqual([]);
  });

  it('refuses to list a record whose payload no longer matches its hash', async () => {
    const { client, log } = await freshLog();
    await log.append(entries(2));
    const target = await client.getEntity('chain', seqKey(1));
    const payload = String(target.payload).replace('"actor":"', '"actor":"x');
    await client.updateEntity({ ...target, partitionKey: 'chain', rowKey: seqKey(1), payload }, 'Replace');

    await expect(listAll(new TableAuditLog(client))).rejects.toMatchObject({ kind: 'integrity' });
  });
});

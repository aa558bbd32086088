import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  ChainVerifier,
  EMPTY_HEAD,
  GENESIS_HASH,
  headOf,
  linkHash,
  sealRecords,
  verifyChain,
} from '../../src/core/audit';
import { chainEntriesArbitrary, chainOf, entries, entry, SEED } from './support';

describe('audit chain', () => {
  it('seals each entry as canonical JSON of {seq, eventId, ...event}, linked from genesis', async () => {
    const records = await sealRecords(EMPTY_HEAD, entries(3));

    expect(records.map((r) => r.seq)).toEqual([0, 1, 2]);
    expect(records[0]?.prevHash).toBe(GENESIS_HASH);
    for (const [i, record] of records.entries()) {
      expect(record.payload).toBe(canonicalize({ ...entry(i), seq: i }));
      expect(record.hash).toBe(linkHash(record.prevHash, record.payload));
      if (i > 0) expect(record.prevHash).toBe(records[i - 1]?.hash);
    }
  });

  it('orders payload keys by RFC 8785 and keeps non-ASCII text as is', async () => {
    const [record] = await sealRecords(EMPTY_HEAD, [
      entry(0, { reason: 'clé € 😀', details: { b: 1, a: 'x' } }),
    ]);

    expect(record?.payload).toMatch(/^\{"actor":.*"details":\{"a":"x","b":1\},"eventId":/);
    expect(record?.payload).toContain('"reason":"clé € 😀"');
  });

  it('continues a chain from its head', async () => {
    const first = await sealRecords(EMPTY_HEAD, entries(2));
    const second = await sealRecords(headOf(first), entries(2, 2));

    expect(second.map((r) => r.seq)).toEqual([2, 3]);
    expect(verifyChain([...first, ...second], headOf(second))).toEqual({
      ok: true,
      checked: 4,
      head: headOf(second),
    });
  });

  it('verifies an empty chain against an empty or missing head', () => {
    expect(verifyChain([], EMPTY_HEAD)).toMatchObject({ ok: true, checked: 0, head: EMPTY_HEAD });
    expect(verifyChain([], undefined)).toMatchObject({ ok: true, checked: 0 });
  });

  it('reports no problem on 1,000 random clean chains', async () => {
    await fc.assert(
      fc.asyncProperty(chainEntriesArbitrary(40), async (list) => {
        const records = await sealRecords(EMPTY_HEAD, list);
        const report = verifyChain(records, headOf(records));
        expect(report).toMatchObject({ ok: true, checked: list.length });
      }),
      { numRuns: 1_000, seed: SEED },
    );
  });

  it('reports no problem on a clean chain of 20,000 records, from genesis, from an anchor and resumed', async () => {
    const records = await chainOf(20_000);
    const head = headOf(records);
    const middle = records[12_345];
    if (!middle) throw new Error('chain too short');

    expect(verifyChain(records, head)).toEqual({ ok: true, checked: 20_000, head });
    expect(verifyChain(records, head, { anchor: { seq: middle.seq, hash: middle.hash } }).ok).toBe(true);
    const resumed = verifyChain(records.slice(12_346), head, {
      after: { seq: middle.seq, hash: middle.hash },
    });
    expect(resumed).toEqual({ ok: true, checked: 20_000 - 12_346, head });
  });

  it('verifies incrementally as records are pushed', async () => {
    const records = await chainOf(10);
    const verifier = new ChainVerifier();

    expect(records.every((record) => verifier.push(record))).toBe(true);
    expect(verifier.finish(headOf(records))).toMatchObject({ ok: true, checked: 10 });
  });
});

import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';

import {
  type AuditRecord,
  type ChainHead,
  headOf,
  linkHash,
  verifyChain,
  type VerifyReport,
} from '../../src/core/audit';
import { forgeEdit, mutationArbitrary, randomHash, recordsOf, tamper, type Tampered } from './mutations';
import { chainOf, SEED } from './support';

function verifyTampered(clean: readonly AuditRecord[], tampered: Tampered, resume: boolean): VerifyReport {
  const [first, ...rest] = tampered.segments;
  const before = first && 'from' in first && first.from === 0 ? clean[first.to - 1] : undefined;
  if (!resume || !before) return verifyChain(recordsOf(clean, tampered.segments), tampered.head);
  // The first segment is the clean chain's own prefix: resuming after it skips re-hashing it.
  return verifyChain(recordsOf(clean, rest), tampered.head, {
    after: { seq: before.seq, hash: before.hash },
  });
}

describe('audit chain tamper evidence', () => {
  let small: AuditRecord[];
  let large: AuditRecord[];

  beforeAll(async () => {
    [small, large] = await Promise.all([chainOf(10_000), chainOf(100_000)]);
  }, 120_000);

  it('detects every mutation of a 10,000-record chain, verified from genesis, at the first bad seq', () => {
    fc.assert(
      fc.property(mutationArbitrary(small.length), (mutation) => {
        const tampered = tamper(small, mutation);
        const report = verifyTampered(small, tampered, false);
        expect(report).toMatchObject({ ok: false, ...tampered.expected });
        // Everything before a bad record verified; a head problem is found after all of them.
        const { problem, firstBadSeq } = tampered.expected;
        if (problem !== 'head') expect(report.checked).toBe(firstBadSeq);
      }),
      { numRuns: 100, seed: SEED },
    );
  });

  it('detects 10,000 random mutations of a 100,000-record chain at the first bad seq', () => {
    fc.assert(
      fc.property(mutationArbitrary(large.length, 2_000), (mutation) => {
        const tampered = tamper(large, mutation);
        expect(verifyTampered(large, tampered, true)).toMatchObject({ ok: false, ...tampered.expected });
      }),
      { numRuns: 10_000, seed: SEED },
    );
  });

  it('reports a tail re-chained together with its head only against an anchor kept elsewhere', () => {
    const edited = 70_000;
    const anchor: ChainHead = { seq: 80_000, hash: large[80_000]?.hash ?? '' };
    const forged = large.slice();
    let prevHash = large[edited]?.prevHash ?? '';
    for (let i = edited; i < forged.length; i++) {
      const original = large[i] as AuditRecord;
      const { payload, ...rest } = i === edited ? forgeEdit(original) : original;
      const hash = linkHash(prevHash, payload);
      forged[i] = { ...rest, payload, prevHash, hash };
      prevHash = hash;
    }
    const forgedHead = headOf(forged);

    expect(verifyChain(forged, forgedHead).ok).toBe(true);
    expect(verifyChain(forged, forgedHead, { anchor })).toMatchObject({
      ok: false,
      firstBadSeq: 80_000,
      problem: 'anchor',
    });
    expect(verifyChain(large.slice(0, 50_000), headOf(large.slice(0, 50_000)), { anchor })).toMatchObject({
      ok: false,
      firstBadSeq: 50_000,
      problem: 'anchor',
    });
  });

  it('refuses a chain that does not start at genesis or does not link to where it resumes', () => {
    const tail = large.slice(10);
    expect(verifyChain(tail, headOf(large))).toMatchObject({
      ok: false,
      firstBadSeq: 0,
      problem: 'sequence',
    });
    expect(verifyChain(tail, headOf(large), { after: { seq: 9, hash: randomHash() } })).toMatchObject({
      ok: false,
      firstBadSeq: 10,
      problem: 'link',
    });
  });
});

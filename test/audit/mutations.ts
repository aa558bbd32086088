import { randomBytes } from 'node:crypto';

import canonicalize from 'canonicalize';
import fc from 'fast-check';

import {
  type AuditRecord,
  type ChainHead,
  type ChainProblem,
  GENESIS_HASH,
  headOf,
  linkHash,
  type StoredRecord,
} from '../../src/core/audit';
import { entry } from './support';

/**
 * Tampering with an in-memory chain, each kind with the report the verifier owes it. The attacker
 * can edit any row and the head, but not a head kept elsewhere (an anchor).
 */
export type Mutation =
  | { kind: 'edit-payload'; at: number }
  | { kind: 'edit-column'; at: number; how: 'change' | 'add' | 'remove' | 'details' }
  | { kind: 'edit-hash'; at: number }
  | { kind: 'edit-prev-hash'; at: number }
  | { kind: 'rehash-one'; at: number }
  | { kind: 'delete'; at: number }
  | { kind: 'insert-naive'; at: number }
  | { kind: 'insert-linked'; at: number }
  | { kind: 'swap'; at: number; other: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'rewrite-head'; how: 'hash' | 'lower' | 'higher'; at: number }
  | { kind: 'rechain-without-head'; at: number };

/**
 * The tampered chain as segments of the clean one plus forged records, so that a mutation of a
 * 100,000-record chain costs what it changes, not a copy of the chain.
 */
export type Segment = Readonly<{ from: number; to: number }> | readonly StoredRecord[];

export type Tampered = {
  segments: Segment[];
  head: ChainHead;
  expected: { firstBadSeq: number; problem: ChainProblem };
};

export function* recordsOf(
  clean: readonly AuditRecord[],
  segments: readonly Segment[],
): Generator<StoredRecord, void, undefined> {
  for (const segment of segments) {
    if ('from' in segment) {
      for (let i = segment.from; i < segment.to; i++) yield clean[i] as AuditRecord;
    } else {
      yield* segment;
    }
  }
}

export const randomHash = (): string => randomBytes(32).toString('hex');

/**
 * Mutations of a chain of `n` records. Those only the head check can see (a lowered head, a
 * re-chained tail) are placed in the last `tailWindow` records: the check compares the chain's
 * end with the head wherever the rows diverged, and a resumed verification then reads few rows.
 */
export function mutationArbitrary(n: number, tailWindow = n): fc.Arbitrary<Mutation> {
  const at = fc.nat(n - 1);
  const tail = fc.nat(Math.min(n, tailWindow) - 1).map((k) => n - 1 - k);
  return fc.oneof(
    at.map((i) => ({ kind: 'edit-payload' as const, at: i })),
    fc.record({
      kind: fc.constant('edit-column' as const),
      at,
      how: fc.constantFrom('change', 'add', 'remove', 'details'),
    }),
    at.map((i) => ({ kind: 'edit-hash' as const, at: i })),
    at.map((i) => ({ kind: 'edit-prev-hash' as const, at: i })),
    at.map((i) => ({ kind: 'rehash-one' as const, at: i })),
    at.map((i) => ({ kind: 'delete' as const, at: i })),
    fc.nat(n).map((i) => ({ kind: 'insert-naive' as const, at: i })),
    fc.nat(n).map((i) => ({ kind: 'insert-linked' as const, at: i })),
    fc
      .tuple(at, at)
      .filter(([a, b]) => a !== b)
      .map(([a, b]) => ({ kind: 'swap' as const, at: Math.min(a, b), other: Math.max(a, b) })),
    at.map((i) => ({ kind: 'truncate' as const, at: i })),
    fc.record({
      kind: fc.constant('rewrite-head' as const),
      how: fc.constantFrom('hash', 'lower', 'higher'),
      at: tail,
    }),
    tail.map((i) => ({ kind: 'rechain-without-head' as const, at: i })),
  );
}

export function tamper(clean: readonly AuditRecord[], mutation: Mutation): Tampered {
  const n = clean.length;
  const last = n - 1;
  const head = headOf(clean);
  const record = (i: number): AuditRecord => clean[i] as AuditRecord;
  const range = (from: number, to = n): Segment => ({ from, to });
  const result = (
    segments: Segment[],
    firstBadSeq: number,
    problem: ChainProblem,
    newHead: ChainHead = head,
  ): Tampered => ({ segments, head: newHead, expected: { firstBadSeq, problem } });
  const { at } = mutation;
  const replaced = (forged: StoredRecord): Segment[] => [range(0, at), [forged], range(at + 1)];
  switch (mutation.kind) {
    case 'edit-payload':
      return result(replaced({ ...record(at), payload: editPayload(record(at).payload) }), at, 'hash');
    case 'edit-column':
      return result(replaced(editColumn(record(at), mutation.how)), at, 'columns');
    case 'edit-hash':
      return result(replaced({ ...record(at), hash: randomHash() }), at, 'hash');
    case 'edit-prev-hash':
      return result(replaced({ ...record(at), prevHash: randomHash() }), at, 'link');
    case 'rehash-one': {
      const edited = forgeEdit(record(at));
      const segments = replaced({ ...edited, hash: linkHash(edited.prevHash, edited.payload) });
      // The edited record is self-consistent; the break shows at its successor, or at the head.
      return at === last ? result(segments, at, 'head') : result(segments, at + 1, 'link');
    }
    case 'delete': {
      const segments = [range(0, at), range(at + 1)];
      return at === last ? result(segments, at, 'head') : result(segments, at, 'sequence');
    }
    case 'insert-naive':
      return result(
        [range(0, at), [{ ...forged(at), prevHash: randomHash(), hash: randomHash() }], range(at)],
        at,
        'link',
      );
    case 'insert-linked': {
      const prevHash = at === 0 ? GENESIS_HASH : record(at - 1).hash;
      const forgedRecord = forged(at);
      const segments = [
        range(0, at),
        [{ ...forgedRecord, prevHash, hash: linkHash(prevHash, forgedRecord.payload) }],
        range(at),
      ];
      return at === n ? result(segments, at, 'head') : result(segments, at + 1, 'sequence');
    }
    case 'swap': {
      const { other } = mutation;
      return result(
        [range(0, at), [record(other)], range(at + 1, other), [record(at)], range(other + 1)],
        at,
        'sequence',
      );
    }
    case 'truncate':
      return result([range(0, at)], at, 'head');
    case 'rewrite-head':
      if (mutation.how === 'hash') return result([range(0)], last, 'head', { seq: last, hash: randomHash() });
      if (mutation.how === 'higher')
        return result([range(0)], n, 'head', { seq: n + at, hash: randomHash() });
      if (at === last) return result([range(0)], last, 'head', { seq: last, hash: randomHash() });
      return result([range(0, at + 1), range(at + 1)], at + 1, 'head', { seq: at, hash: record(at).hash });
    case 'rechain-without-head': {
      const rechained: StoredRecord[] = [];
      let prevHash = record(at).prevHash;
      for (let i = at; i < n; i++) {
        const edited = i === at ? forgeEdit(record(i)) : record(i);
        const hash = linkHash(prevHash, edited.payload);
        rechained.push({ ...edited, prevHash, hash });
        prevHash = hash;
      }
      return result([range(0, at), rechained], last, 'head');
    }
  }
}

/** A record forged with seq `seq`, valid JSON and matching columns; its links are the caller's. */
function forged(seq: number): Omit<AuditRecord, 'prevHash' | 'hash'> {
  const event = entry(1_000_000 + seq, { actor: 'user:mallory' });
  return { ...event, seq, payload: canonicalize({ ...event, seq }) ?? '' };
}

/** Changes the payload text but keeps it JSON. */
function editPayload(payload: string): string {
  return payload.replace('"actor":"', '"actor":"x');
}

/** The edit a careful forger makes: payload and column alike. */
export function forgeEdit(record: AuditRecord): AuditRecord {
  return { ...record, actor: `x${record.actor}`, payload: editPayload(record.payload) };
}

function editColumn(record: AuditRecord, how: 'change' | 'add' | 'remove' | 'details'): StoredRecord {
  switch (how) {
    case 'change':
      return { ...record, actor: `${record.actor}!` };
    case 'add':
      return { ...record, approvedBy: 'user:mallory' };
    case 'remove': {
      const { eventId: _dropped, ...rest } = record;
      return rest;
    }
    case 'details':
      return { ...record, details: { ...record.details, forged: true } };
  }
}

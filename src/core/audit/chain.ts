import * as crypto from 'node:crypto';

import { InvalidInputError } from '../errors';
import type { AuditEntry } from './events';
import { assertValidEntry } from './guard';

/**
 * The hash chain. Record `seq` (0-based, contiguous) seals the RFC 8785 canonical JSON of
 * `{seq, eventId, ...event}` as `payload` and links it to its predecessor:
 *
 *     hash = SHA-256-hex(prevHash + '\n' + payload),   prevHash of record 0 = GENESIS_HASH
 *
 * The payload string is stored as written, so verification hashes bytes and never has to
 * re-canonicalize (which would make the result depend on the canonicalizer's version).
 */
export const GENESIS_HASH = '0'.repeat(64);

/** The last sealed record's position and hash; `{seq: -1, hash: GENESIS_HASH}` for an empty chain. */
export type ChainHead = Readonly<{ seq: number; hash: string }>;

export const EMPTY_HEAD: ChainHead = { seq: -1, hash: GENESIS_HASH };

export type AuditRecord = AuditEntry &
  Readonly<{
    seq: number;
    prevHash: string;
    hash: string;
    /** The canonical JSON that `hash` covers. */
    payload: string;
  }>;

/**
 * Payloads are capped so that a full entity-group transaction (49 records, each stored as payload
 * plus columns, UTF-8) stays under Table Storage's 4 MiB limit and every string fits its 32K
 * characters-per-property limit.
 */
export const MAX_PAYLOAD_CHARS = 8_192;

// One-shot `crypto.hash` (Node ≥ 20.12) allocates no Hash object: a third faster on the verify path.
const sha256Hex: (data: string) => string =
  typeof crypto.hash === 'function'
    ? (data) => crypto.hash('sha256', data, 'hex')
    : (data) => crypto.createHash('sha256').update(data).digest('hex');

export function linkHash(prevHash: string, payload: string): string {
  return sha256Hex(`${prevHash}\n${payload}`);
}

type Canonicalize = (input: unknown) => string | undefined;
let canonicalizer: Promise<Canonicalize> | undefined;

// `canonicalize` ships as an ES module only; a dynamic import is how CommonJS output loads it.
function loadCanonicalize(): Promise<Canonicalize> {
  canonicalizer ??= import('canonicalize').then((module) => module.default);
  return canonicalizer;
}

/**
 * Seals `entries` after `head`, in order. Validates every entry first (InvalidInputError, nothing
 * sealed) and refuses payloads over MAX_PAYLOAD_CHARS. Pure: no I/O, no clock.
 */
export async function sealRecords(head: ChainHead, entries: readonly AuditEntry[]): Promise<AuditRecord[]> {
  const canonicalize = await prepare(entries);
  const records: AuditRecord[] = [];
  let { seq, hash } = head;
  for (const [index, entry] of entries.entries()) {
    seq += 1;
    const payload = canonicalPayload(canonicalize, entry, seq, index);
    const record: AuditRecord = { ...entry, seq, prevHash: hash, hash: linkHash(hash, payload), payload };
    records.push(record);
    hash = record.hash;
  }
  return records;
}

/** Throws what sealRecords would throw for `entries` at any position in the chain. */
export async function assertSealable(entries: readonly AuditEntry[]): Promise<void> {
  const canonicalize = await prepare(entries);
  entries.forEach((entry, index) => canonicalPayload(canonicalize, entry, Number.MAX_SAFE_INTEGER, index));
}

async function prepare(entries: readonly AuditEntry[]): Promise<Canonicalize> {
  entries.forEach((entry, index) => {
    assertValidEntry(entry, `audit entry ${index}`);
  });
  return loadCanonicalize();
}

function canonicalPayload(canonicalize: Canonicalize, entry: AuditEntry, seq: number, index: number): string {
  const payload = canonicalize({ ...entry, seq });
  if (payload === undefined || payload.length > MAX_PAYLOAD_CHARS) {
    throw new InvalidInputError(`audit entry ${index}`, [
      { path: '(entry)', message: `must serialize to at most ${MAX_PAYLOAD_CHARS} characters` },
    ]);
  }
  return payload;
}

export function headOf(records: readonly AuditRecord[], fallback: ChainHead = EMPTY_HEAD): ChainHead {
  const last = records.at(-1);
  return last ? { seq: last.seq, hash: last.hash } : fallback;
}

import { type AuditRecord, linkHash } from './chain';
import type { StoredRecord } from './verify';

/**
 * How a record maps to a flat row of a key/value table: the row key is the zero-padded seq (so
 * rows sort in chain order), the columns are the event's fields with `details` as JSON, plus
 * `eventId`, `prevHash`, `hash` and `payload`. Columns exist for queries and reports; the payload
 * is what the hash covers, and the verifier holds every column to it.
 */
const SEQ_DIGITS = 16;
const SEQ_KEY = /^\d{16}$/;

export function seqKey(seq: number): string {
  return String(seq).padStart(SEQ_DIGITS, '0');
}

/** The seq a row key names; NaN for a key that is not one (a forged or foreign row). */
export function seqOfKey(rowKey: string): number {
  return SEQ_KEY.test(rowKey) ? Number(rowKey) : NaN;
}

export function recordColumns(record: AuditRecord): Record<string, string | number | boolean> {
  const columns: Record<string, string | number | boolean> = {};
  for (const [name, value] of Object.entries(record) as [string, unknown][]) {
    if (name === 'seq' || value === undefined) continue;
    columns[name] = name === 'details' ? JSON.stringify(value) : (value as string | number | boolean);
  }
  return columns;
}

/** A row as the verifier sees it: seq from the key, every column as stored. */
export function storedRecord(rowKey: string, columns: Readonly<Record<string, unknown>>): StoredRecord {
  const { details } = columns;
  return {
    ...columns,
    ...(typeof details === 'string' && { details: parseOr(details) }),
    seq: seqOfKey(rowKey),
    prevHash: String(columns.prevHash),
    hash: String(columns.hash),
    payload: String(columns.payload),
  };
}

/**
 * The record a row holds, read from its payload (what the hash covers) rather than from columns
 * anyone could edit alone; undefined when the payload is not JSON or does not match its hash.
 * One row's self-consistency is no evidence for the chain: that takes the verifier.
 */
export function recordOfRow(columns: Readonly<Record<string, unknown>>): AuditRecord | undefined {
  const { prevHash, hash, payload } = columns;
  if (typeof prevHash !== 'string' || typeof hash !== 'string' || typeof payload !== 'string')
    return undefined;
  if (hash !== linkHash(prevHash, payload)) return undefined;
  const fields = parseOr(payload);
  if (
    typeof fields !== 'object' ||
    fields === null ||
    typeof (fields as { seq?: unknown }).seq !== 'number'
  ) {
    return undefined;
  }
  return { ...(fields as Omit<AuditRecord, 'prevHash' | 'hash' | 'payload'>), prevHash, hash, payload };
}

function parseOr(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

import { type ChainHead, EMPTY_HEAD, GENESIS_HASH, linkHash } from './chain';

/**
 * A record as read back from storage: the chain fields plus every other column the row holds.
 * Each column must equal the payload's field of the same name, and every payload field must have
 * its column, so that reports built from columns cannot drift from what the hash covers.
 */
export type StoredRecord = Readonly<{ seq: number; prevHash: string; hash: string; payload: string }> &
  Readonly<Record<string, unknown>>;

/**
 * - `sequence`: the record is not the next seq (a deletion, an insertion or a reorder).
 * - `link`: its prevHash is not its predecessor's hash (a deletion, insertion, swap or rewrite).
 * - `hash`: its hash does not cover its prevHash and payload (an edit).
 * - `payload`: the payload is not a JSON object with this seq.
 * - `columns`: a column disagrees with the payload, or is missing or extra.
 * - `head`: the chain does not end where the head says (a truncated tail, rows past the head, a
 *   tail re-chained without the head, or an edited head).
 * - `anchor`: the chain does not pass through a head kept outside the table.
 */
export type ChainProblem = 'sequence' | 'link' | 'hash' | 'payload' | 'columns' | 'head' | 'anchor';

/**
 * `firstBadSeq` is the first seq at which the evidence fails: for a record problem, that record
 * (everything before it verified as a chain); for `head` and `anchor`, the seq the head or anchor
 * names, or the first missing or extra one. A re-chained forgery that also rewrote the head is
 * only detectable against an anchor kept elsewhere (reference B5: anchor heads outside the table).
 */
export type VerifyReport = Readonly<{
  ok: boolean;
  /** Records that verified before the first problem (all of them when ok). */
  checked: number;
  /** The verified end of the chain, fit to keep as the next anchor. Set when ok. */
  head?: ChainHead;
  firstBadSeq?: number;
  problem?: ChainProblem;
  /** Which check failed, in words; names columns, never values. */
  detail?: string;
}>;

export type VerifyOptions = Readonly<{
  /**
   * A head recorded earlier outside the table (a WORM blob, a ledger, the last report). The
   * chain must pass through it: the record at `anchor.seq` must have `anchor.hash`.
   */
  anchor?: ChainHead;
  /**
   * Resume after a head verified earlier: records start at `after.seq + 1` and link to
   * `after.hash`. Only as strong as the place `after` was kept.
   */
  after?: ChainHead;
}>;

const CHAIN_FIELDS = new Set(['seq', 'prevHash', 'hash', 'payload']);

/** Checks records pushed in seq order, stopping at the first problem. Allocation-light and synchronous. */
export class ChainVerifier {
  readonly #anchor: ChainHead | undefined;
  #expected: number;
  #prevHash: string;
  #checked = 0;
  #failure: VerifyReport | undefined;

  constructor(options: VerifyOptions = {}) {
    const start = options.after ?? EMPTY_HEAD;
    this.#anchor = options.anchor;
    this.#expected = start.seq + 1;
    this.#prevHash = start.hash;
  }

  /** Ends verification because the head could not be read as one: the chain cannot be vouched for. */
  failHead(detail: string): VerifyReport {
    if (!this.#failure) this.#fail(Math.max(0, this.#expected - 1), 'head', detail);
    return this.#failure as VerifyReport;
  }

  /** Checks the next record; false once the chain has failed (later records are ignored). */
  push(record: StoredRecord): boolean {
    if (this.#failure) return false;
    const seq = this.#expected;
    const problem = checkRecord(record, seq, this.#prevHash);
    if (problem) return this.#fail(seq, problem[0], problem[1]);
    if (this.#anchor?.seq === seq && this.#anchor.hash !== record.hash) {
      return this.#fail(seq, 'anchor', 'the record at the anchor has a different hash');
    }
    this.#prevHash = record.hash;
    this.#expected = seq + 1;
    this.#checked += 1;
    return true;
  }

  /** Checks that the chain ends at `head` (missing means empty) and returns the report. */
  finish(head: ChainHead | undefined): VerifyReport {
    if (this.#failure) return this.#failure;
    const last = this.#expected - 1;
    const problem = tailProblem(last, this.#prevHash, head ?? EMPTY_HEAD, this.#anchor);
    if (problem) {
      this.#fail(...problem);
      return {
        ok: false,
        checked: this.#checked,
        firstBadSeq: problem[0],
        problem: problem[1],
        detail: problem[2],
      };
    }
    return { ok: true, checked: this.#checked, head: { seq: last, hash: this.#prevHash } };
  }

  #fail(seq: number, problem: ChainProblem, detail: string): false {
    this.#failure = { ok: false, checked: this.#checked, firstBadSeq: seq, problem, detail };
    return false;
  }
}

export function verifyChain(
  records: Iterable<StoredRecord>,
  head: ChainHead | undefined,
  options?: VerifyOptions,
): VerifyReport {
  const verifier = new ChainVerifier(options);
  for (const record of records) {
    if (!verifier.push(record)) break;
  }
  return verifier.finish(head);
}

function tailProblem(
  last: number,
  lastHash: string,
  head: ChainHead,
  anchor: ChainHead | undefined,
): [number, ChainProblem, string] | undefined {
  if (head.seq > last) return [last + 1, 'head', `the head is at ${head.seq} but the chain ends at ${last}`];
  if (head.seq < last) return [head.seq + 1, 'head', `records continue past the head at ${head.seq}`];
  if (head.hash !== lastHash) return [last, 'head', 'the head hash differs from the last record'];
  if (anchor && anchor.seq > last)
    return [last + 1, 'anchor', `the chain ends before the anchor at ${anchor.seq}`];
  return undefined;
}

function checkRecord(
  record: StoredRecord,
  seq: number,
  prevHash: string,
): readonly [ChainProblem, string] | undefined {
  if (record.seq !== seq) return ['sequence', `expected seq ${seq}`];
  if (record.prevHash !== prevHash) {
    return [
      'link',
      seq === 0 && prevHash === GENESIS_HASH ? 'not linked to genesis' : 'not linked to its predecessor',
    ];
  }
  if (typeof record.payload !== 'string' || record.hash !== linkHash(prevHash, record.payload)) {
    return ['hash', 'the hash does not cover prevHash and payload'];
  }
  let fields: unknown;
  try {
    fields = JSON.parse(record.payload);
  } catch {
    return ['payload', 'the payload is not JSON'];
  }
  if (typeof fields !== 'object' || fields === null || (fields as { seq?: unknown }).seq !== seq) {
    return ['payload', 'the payload does not carry this seq'];
  }
  const column = mismatchedColumn(record, fields as Record<string, unknown>);
  return column === undefined ? undefined : ['columns', `column ${column} disagrees with the payload`];
}

function mismatchedColumn(record: StoredRecord, fields: Record<string, unknown>): string | undefined {
  let columns = 0;
  for (const name in record) {
    const value = record[name];
    if (value === undefined || CHAIN_FIELDS.has(name)) continue;
    if (!sameValue(value, fields[name])) return name;
    columns += 1;
  }
  let payloadFields = 0;
  for (const name in fields) if (name !== 'seq') payloadFields += 1;
  if (columns === payloadFields) return undefined;
  for (const name in fields) if (name !== 'seq' && record[name] === undefined) return name;
  return '(unknown)';
}

// Flat objects (details) compare entry by entry; counting with for-in allocates no key arrays.
function sameValue(column: unknown, field: unknown): boolean {
  if (column === field) return true;
  if (typeof column !== 'object' || typeof field !== 'object' || column === null || field === null) {
    return false;
  }
  const a = column as Record<string, unknown>;
  const b = field as Record<string, unknown>;
  let size = 0;
  for (const key in a) {
    if (!Object.hasOwn(b, key) || a[key] !== b[key]) return false;
    size += 1;
  }
  for (const _key in b) size -= 1;
  return size === 0;
}

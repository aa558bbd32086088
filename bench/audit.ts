import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';

import { TableClient } from '@azure/data-tables';

import {
  type AuditEntry,
  AuditEventType,
  ChainVerifier,
  EMPTY_HEAD,
  headOf,
  sealRecords,
} from '../src/core/audit';
import { TableAuditLog } from '../src/storage/audit-store';

export interface AuditBenchResult {
  /** Records durably chained into one Azurite partition per second (goal E2.4: ≥ 1,000). */
  readonly appendsPerSecond: number;
  /** Records verified per second in process (goal E2.4: ≥ 200,000). */
  readonly verifyRowsPerSecond: number;
  readonly verifiedRows: number;
}

const APPENDS = 5_000;
const BATCH = 30;
const VERIFY_ROWS = 1_000_000;
const CHUNK = 50_000;

/**
 * Goal E2.4. Appends 5,000 events to a fresh table in batches of 30 (one entity-group
 * transaction each, chained through the head's ETag), then streams a chain of 1,000,000 records,
 * sealed by the chain module, through one verifier. The chain is sealed and handed over in chunks
 * of 50,000, as the store hands over pages: a million live records would make the run measure the
 * garbage collector walking 2 GB of heap rather than the verifier. Only verifying is timed.
 */
export async function benchAudit(connectionString: string): Promise<AuditBenchResult> {
  const appendsPerSecond = await benchAppends(connectionString);
  const verifier = new ChainVerifier();
  let head = EMPTY_HEAD;
  let verifying = 0;
  for (let start = 0; start < VERIFY_ROWS; start += CHUNK) {
    const chunk = Array.from({ length: Math.min(CHUNK, VERIFY_ROWS - start) }, (_, k) =>
      benchEntry(start + k),
    );
    const records = await sealRecords(head, chunk);
    head = headOf(records, head);
    const started = performance.now();
    for (const record of records) verifier.push(record);
    verifying += performance.now() - started;
  }
  const started = performance.now();
  const report = verifier.finish(head);
  verifying += performance.now() - started;
  if (!report.ok || report.checked !== VERIFY_ROWS) {
    throw new Error(`Audit bench: the clean chain failed verification (${report.problem ?? 'short'}).`);
  }
  return {
    appendsPerSecond: Math.round(appendsPerSecond),
    verifyRowsPerSecond: Math.round(report.checked / (verifying / 1_000)),
    verifiedRows: report.checked,
  };
}

async function benchAppends(connectionString: string): Promise<number> {
  const table = TableClient.fromConnectionString(connectionString, `bench${randomBytes(5).toString('hex')}`, {
    allowInsecureConnection: /127\.0\.0\.1|localhost/.test(connectionString),
  });
  await table.createTable();
  try {
    const log = new TableAuditLog(table);
    // The first append creates the head row; keep it out of the timing.
    await log.append([benchEntry(-1)]);
    const started = performance.now();
    for (let i = 0; i < APPENDS; i += BATCH) {
      await log.append(Array.from({ length: Math.min(BATCH, APPENDS - i) }, (_, k) => benchEntry(i + k)));
    }
    const seconds = (performance.now() - started) / 1_000;
    const report = await log.verify();
    if (!report.ok || report.checked !== APPENDS + 1) {
      throw new Error(`Audit bench: the appended chain failed verification (${report.problem ?? 'short'}).`);
    }
    return APPENDS / seconds;
  } finally {
    await table.deleteTable();
  }
}

function benchEntry(i: number): AuditEntry {
  const rotation = `rot-${String(Math.floor(i / 6)).padStart(8, '0')}`;
  return {
    eventId: `${rotation}/distribute/${i}`,
    type: AuditEventType.KeyDistributed,
    at: new Date(Date.UTC(2026, 0, 5) + i * 250).toISOString(),
    actor: 'system:orchestrator',
    credentialId: `credential-${i % 500}`,
    rotationId: rotation,
    generation: 1 + (i % 7),
    fingerprint: `fp_${String(i).padStart(16, 'A')}`,
    outcome: 'succeeded',
    details: { target: `key-vault:kv-${i % 4}/secrets/api-key`, written: true },
  };
}

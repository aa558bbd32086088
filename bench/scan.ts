import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';

import { composeServices } from '../src/app/compose';
import { loadConfig } from '../src/config/load';
import type { Clock } from '../src/core/clock';
import { runPolicyScan } from '../src/rotation/scan';
import type { WorkflowStarter } from '../src/rotation/starter';
import { createTableProvider, TableRole } from '../src/storage/tables';
import { createLogger, logTelemetry } from '../src/telemetry/telemetry';

export interface ScanBenchResult {
  readonly rows: number;
  readonly rawListingMs: number;
  readonly scanMs: number;
  /** Scan time over raw listing time (goal: ≤ 1.5). */
  readonly ratio: number;
}

const ROWS = 10_000;
const CONCURRENCY = 32;

/**
 * The policy scan over 10,000 credentials in Azurite against a bare listing of the same state rows:
 * what the scan adds to the unavoidable read is the policy evaluation of every credential.
 */
export async function benchScan(connectionString: string): Promise<ScanBenchResult> {
  const prefix = `bench${randomBytes(4).toString('hex')}`;
  const tables = createTableProvider({ kind: 'connection-string', connectionString }, prefix);
  await tables.ensureTables();
  const clock: Clock = { now: () => new Date('2026-06-01T12:00:00.000Z') };
  const ids = Array.from({ length: ROWS }, (_, i) => `cred-${i.toString().padStart(5, '0')}`);
  const config = loadConfig(
    {
      version: 1,
      policies: { standard: { maxAge: 'P90D' } },
      issuers: { bench: { kind: 'managed', prefix: 'kbench' } },
      credentials: ids.map((id) => ({
        id,
        owner: 'bench@example.com',
        application: 'bench',
        environment: 'bench',
        issuer: 'bench',
        policy: 'standard',
        targets: [{ kind: 'file', path: `/tmp/${id}.env`, key: 'KEY' }],
      })),
    },
    '/tmp',
    'bench configuration',
  );
  const log = createLogger(() => undefined);
  const services = composeServices({
    config,
    tables,
    masterKey: randomBytes(32),
    clock,
    telemetry: logTelemetry(log),
    log,
  });

  const inventory = tables.table(TableRole.Inventory);
  const issued = new Date(clock.now().getTime() - 10 * 86_400_000).toISOString();
  for (let i = 0; i < ids.length; i += CONCURRENCY) {
    await Promise.all(
      ids.slice(i, i + CONCURRENCY).map((id) =>
        inventory.createEntity({
          partitionKey: id,
          rowKey: 'state',
          lastGeneration: 1,
          currentGeneration: 1,
          currentFingerprint: 'fp_benchbenchbench',
          currentSince: issued,
          updatedAt: issued,
        }),
      ),
    );
  }

  const starter: WorkflowStarter = {
    startRotation: () => Promise.reject(new Error('nothing is due in this benchmark')),
    startRollback: () => Promise.reject(new Error('nothing is due in this benchmark')),
  };
  const rawListing = async (): Promise<number> => {
    let count = 0;
    for await (const _row of inventory.listEntities({ queryOptions: { filter: "RowKey eq 'state'" } }))
      count++;
    return count;
  };

  // One warm-up of each, then alternate so that drift on a shared machine hits both sides alike.
  await rawListing();
  await runPolicyScan(services, starter);
  let rawListingMs = 0;
  let scanMs = 0;
  for (let round = 0; round < 3; round++) {
    let started = performance.now();
    const listed = await rawListing();
    rawListingMs += performance.now() - started;
    started = performance.now();
    const summary = await runPolicyScan(services, starter);
    scanMs += performance.now() - started;
    if (listed !== ROWS || summary.evaluated !== ROWS || summary.skipped['compliant'] !== ROWS) {
      throw new Error(`scan benchmark saw ${listed} rows and ${summary.evaluated} evaluations`);
    }
  }
  return { rows: ROWS, rawListingMs: rawListingMs / 3, scanMs: scanMs / 3, ratio: scanMs / rawListingMs };
}

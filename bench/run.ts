import { startAzurite } from '../src/local/azurite';
import { benchAudit } from './audit';
import { benchScan } from './scan';
import { benchVerify } from './verify';

/**
 * `npm run bench`: one run of every benchmark against an in-memory Azurite started here, printed
 * as JSON and as a table with each figure's goal. One run on a shared machine: read the ratios and
 * the orders of magnitude, not the last digit.
 */
async function main(): Promise<void> {
  const azurite = await startAzurite();
  try {
    const connection = azurite.endpoints.connectionString;
    const scan = await benchScan(connection);
    const audit = await benchAudit(connection);
    const verify = await benchVerify(connection);
    const report = { node: process.version, scan, audit, verify };
    console.log(JSON.stringify(report, null, 2));
    const round = (n: number, digits = 0): string =>
      n.toLocaleString('en-US', { maximumFractionDigits: digits });
    console.table([
      {
        measure: 'policy scan / raw listing (10,000 rows)',
        value: `${round(scan.ratio, 2)}x`,
        goal: '<= 1.5x',
      },
      { measure: 'policy scan time', value: `${round(scan.scanMs)} ms`, goal: '' },
      {
        measure: 'audit appends (chained, batched)',
        value: `${round(audit.appendsPerSecond)}/s`,
        goal: '>= 1,000/s',
      },
      {
        measure: 'audit chain verification',
        value: `${round(audit.verifyRowsPerSecond)} rows/s`,
        goal: '>= 200,000/s',
      },
      {
        measure: `audit verification of ${round(audit.verifiedRows)} rows`,
        value: `${round(audit.verifiedRows / audit.verifyRowsPerSecond, 2)} s`,
        goal: '< 5 s',
      },
      { measure: 'managed key verifications', value: `${round(verify.perSecond)}/s`, goal: '>= 50,000/s' },
      { measure: 'managed key verification p99', value: `${round(verify.p99Ms, 3)} ms`, goal: '<= 0.5 ms' },
    ]);
  } finally {
    await azurite.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

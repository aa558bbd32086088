import { type AuditEntry as ChainEntry, entryIssues } from '../core/audit';
import type { Clock } from '../core/clock';
import type { AuditLog } from '../storage/audit-store';
import type { AuditSink } from './services';

const WITHHELD = '[withheld: failed the audit guard]';
const MAX_REASON = 2_000;

/**
 * The workflow's audit sink over the chained log. Reasons and details often carry error messages
 * from services; one that the guard refuses (too long, or shaped like key material) is withheld
 * rather than allowed to block the record, because the record itself must be written.
 */
export function auditSink(log: AuditLog, clock: Clock): AuditSink {
  return {
    async record(entries) {
      const at = clock.now().toISOString();
      await log.append(entries.map((entry) => sanitized({ ...entry, at } as ChainEntry)));
    },
  };
}

function sanitized(entry: ChainEntry): ChainEntry {
  const clipped: ChainEntry =
    entry.reason !== undefined && entry.reason.length > MAX_REASON
      ? { ...entry, reason: `${entry.reason.slice(0, MAX_REASON)}…` }
      : entry;
  const issues = entryIssues(clipped);
  const reasonBad = issues.some((i) => i.path === 'reason');
  const badDetails = new Set(issues.filter((i) => i.path.startsWith('details.')).map((i) => i.path.slice(8)));
  if (!reasonBad && badDetails.size === 0) return clipped;
  const details = clipped.details
    ? Object.fromEntries(
        Object.entries(clipped.details).map(([k, v]) => [k, badDetails.has(k) ? WITHHELD : v]),
      )
    : undefined;
  return {
    ...clipped,
    ...(reasonBad && { reason: WITHHELD }),
    ...(details && { details }),
  };
}

import type { Policy } from '../core/policy';
import type { CredentialState } from './credential-store';

/** Beyond its longest legitimate life (grace, approval wait), a lock is this much older before it is abandoned. */
const LOCK_SLACK_MS = 2 * 24 * 60 * 60 * 1000;

/**
 * The rotation that holds a credential, or undefined when it is free or its holder is presumed
 * dead: a lock older than the grace period (plus the approval wait, where the policy has one) and a
 * two-day slack belongs to an orchestration that was terminated or lost, and may be taken over.
 * One rule for every starter and for the plan step, so a stale lock is free for all of them.
 */
export function liveLockHolder(
  state: CredentialState | undefined,
  policy: Policy,
  now: Date,
): string | undefined {
  if (state?.lockRotationId === undefined) return undefined;
  if (state.lockAcquiredAt === undefined) return undefined;
  const lifetime = policy.grace + (policy.requireApproval ? policy.approvalTimeout : 0) + LOCK_SLACK_MS;
  return now.getTime() - Date.parse(state.lockAcquiredAt) > lifetime ? undefined : state.lockRotationId;
}

import { decideScheduledRotation } from '../core/policy';
import { liveLockHolder } from './lock';
import { rotationIdFor } from './names';
import type { KeyturnServices } from './services';
import type { WorkflowStarter } from './starter';

export interface ScanSummary {
  readonly evaluated: number;
  readonly started: readonly string[];
  readonly alreadyRunning: number;
  readonly inFlight: number;
  readonly skipped: Readonly<Record<string, number>>;
}

export const SCHEDULER_ACTOR = 'system:scheduler';

/**
 * The policy scan: evaluates every configured credential against its policy and starts a rotation
 * for each one that is due and allowed now. Rotation ids derive from the next generation number,
 * so a scan that fires twice starts nothing twice.
 */
export async function runPolicyScan(
  services: KeyturnServices,
  starter: WorkflowStarter,
): Promise<ScanSummary> {
  const now = services.clock.now();
  const states = new Map((await services.credentials.listStates()).map((s) => [s.credentialId, s]));
  const started: string[] = [];
  const skipped: Record<string, number> = {};
  let alreadyRunning = 0;
  let inFlight = 0;
  for (const credential of services.config.config.credentials) {
    const state = states.get(credential.id);
    const policy = services.config.policyOf(credential);
    if (liveLockHolder(state, policy, now) !== undefined) {
      inFlight++;
      continue;
    }
    if (state?.holdReason !== undefined) {
      skipped['on-hold'] = (skipped['on-hold'] ?? 0) + 1;
      continue;
    }
    const decision = decideScheduledRotation({
      mode: credential.mode,
      issuedAt: state?.currentSince ? new Date(state.currentSince) : undefined,
      policy,
      now,
    });
    if (!decision.rotate) {
      skipped[decision.reason] = (skipped[decision.reason] ?? 0) + 1;
      continue;
    }
    const generation = (state?.lastGeneration ?? 0) + 1;
    const rotationId = rotationIdFor(credential.id, generation);
    const outcome = await starter.startRotation({
      rotationId,
      credentialId: credential.id,
      generation,
      trigger: 'schedule',
      reason: `policy scan: key is ${decision.compliance.state}`,
      requestedBy: SCHEDULER_ACTOR,
      emergency: false,
    });
    if (outcome === 'started') started.push(rotationId);
    else alreadyRunning++;
  }
  return { evaluated: services.config.config.credentials.length, started, alreadyRunning, inFlight, skipped };
}

import type { CredentialConfig } from '../config/schema';
import { decideRequestedRotation } from '../core/policy';
import type { RotationTrigger } from './contracts';
import { liveLockHolder } from './lock';
import { rotationIdFor } from './names';
import type { KeyturnServices } from './services';
import type { WorkflowStarter } from './starter';

export interface RotationRequest {
  readonly trigger: Exclude<RotationTrigger, 'schedule'>;
  readonly reason: string;
  readonly requestedBy: string;
  readonly emergency: boolean;
}

export type RotationRequestOutcome =
  | { readonly outcome: 'accepted'; readonly rotationId: string; readonly generation: number }
  | { readonly outcome: 'in-flight'; readonly rotationId: string }
  | { readonly outcome: 'policy-blocked'; readonly detail: string };

/**
 * A rotation asked for outside the schedule (by a person, or by an event): it starts unless one is
 * in flight or the policy forbids it now (freeze, change window; an emergency overrides both).
 * The rotation id derives from the next generation number, so a duplicate request, or an event
 * delivered twice, starts nothing twice.
 */
export async function requestRotation(
  services: KeyturnServices,
  starter: WorkflowStarter,
  credential: CredentialConfig,
  request: RotationRequest,
): Promise<RotationRequestOutcome> {
  const { state } = await services.credentials.getState(credential.id);
  const policy = services.config.policyOf(credential);
  const now = services.clock.now();
  const holder = liveLockHolder(state, policy, now);
  if (holder !== undefined) return { outcome: 'in-flight', rotationId: holder };
  const decision = decideRequestedRotation({
    issuedAt: state?.currentSince ? new Date(state.currentSince) : undefined,
    policy,
    now,
    emergency: request.emergency,
  });
  if (!decision.rotate) return { outcome: 'policy-blocked', detail: decision.detail };
  const generation = (state?.lastGeneration ?? 0) + 1;
  const rotationId = rotationIdFor(credential.id, generation);
  const started = await starter.startRotation({
    rotationId,
    credentialId: credential.id,
    generation,
    trigger: request.trigger,
    reason: request.reason,
    requestedBy: request.requestedBy,
    emergency: request.emergency,
  });
  if (started === 'already-running') return { outcome: 'in-flight', rotationId };
  return { outcome: 'accepted', rotationId, generation };
}

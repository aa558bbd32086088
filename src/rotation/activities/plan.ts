import { decideRequestedRotation, decideScheduledRotation, type Policy } from '../../core/policy';
import { RotationOutcome, TelemetryEvent } from '../../telemetry/events';
import type { PlanInput, PlanResult } from '../contracts';
import type { CredentialState, RotationRecord } from '../credential-store';
import { liveLockHolder } from '../lock';
import type { KeyturnServices } from '../services';
import { nowIso, reportFinished, requireCredential, WORKFLOW_ACTOR } from './common';

/**
 * Step 1, plan: checks policy, change window, freeze and the lock, then takes the lock and hands
 * out the generation number. Stops with a recorded reason when the rotation must not run.
 */
export async function plan(input: PlanInput, services: KeyturnServices): Promise<PlanResult> {
  const credential = requireCredential(services, input.credentialId);
  const policy = services.config.policyOf(credential);
  const now = services.clock.now();
  const { state, etag } = await services.credentials.getState(input.credentialId);

  if (state?.lockRotationId === input.rotationId && state.lockToken === input.lockToken) {
    // This step ran before and took the lock: answer the same again.
    return { proceed: true, ...timing(policy), ...previousOf(state) };
  }

  const skip = async (reason: string, detail: string): Promise<PlanResult> => {
    await services.audit.record([
      {
        eventId: `${input.rotationId}/skipped`,
        type: 'rotation.skipped',
        actor: input.requestedBy,
        credentialId: input.credentialId,
        rotationId: input.rotationId,
        reason,
        details: { detail, trigger: input.trigger },
      },
    ]);
    reportFinished(
      services,
      credential,
      { ...input, startedAt: now.toISOString() },
      RotationOutcome.Skipped,
      `${reason}: ${detail}`,
    );
    return { proceed: false, reason, detail };
  };

  const holder = liveLockHolder(state, policy, now);
  if (holder !== undefined) return skip('in-flight', `rotation ${holder} holds the credential`);
  if (input.trigger === 'schedule' && state?.holdReason !== undefined) {
    return skip('on-hold', state.holdReason);
  }
  if ((state?.lastGeneration ?? 0) + 1 !== input.generation) {
    return skip('superseded', `generation ${input.generation} was already handed out`);
  }
  const issuedAt = state?.currentSince ? new Date(state.currentSince) : undefined;
  const decision =
    input.trigger === 'schedule'
      ? decideScheduledRotation({ mode: credential.mode, issuedAt, policy, now })
      : decideRequestedRotation({ issuedAt, policy, now, emergency: input.emergency });
  if (!decision.rotate) return skip(decision.reason, decision.detail);

  // Audit first: if the trail cannot be written, nothing is locked or changed.
  await services.audit.record([
    {
      eventId: `${input.rotationId}/planned`,
      type: 'rotation.planned',
      actor: input.requestedBy,
      credentialId: input.credentialId,
      rotationId: input.rotationId,
      generation: input.generation,
      reason: input.reason,
      details: { trigger: input.trigger, emergency: input.emergency, compliance: decision.compliance.state },
    },
  ]);

  const at = nowIso(services);
  const next: CredentialState = {
    ...(state ?? { credentialId: input.credentialId, lastGeneration: 0, updatedAt: at }),
    lastGeneration: input.generation,
    pendingGeneration: input.generation,
    pendingFingerprint: undefined,
    lockRotationId: input.rotationId,
    lockToken: input.lockToken,
    lockAcquiredAt: at,
    // A rotation someone asked for ends a hold left by a rollback.
    holdReason: undefined,
    updatedAt: at,
  };
  const rotation: RotationRecord = {
    rotationId: input.rotationId,
    credentialId: input.credentialId,
    kind: 'rotation',
    generation: input.generation,
    ...(state?.currentGeneration !== undefined && { previousGeneration: state.currentGeneration }),
    status: 'running',
    step: policy.requireApproval ? 'awaiting-approval' : 'planned',
    trigger: input.trigger,
    reason: input.reason,
    requestedBy: input.requestedBy,
    emergency: input.emergency,
    startedAt: at,
    warnings: [],
    targets: [],
  };
  await services.credentials.commit(input.credentialId, etag, [
    { kind: 'state', state: next },
    { kind: 'rotation', record: rotation },
  ]);
  services.telemetry.event(TelemetryEvent.RotationStarted, {
    credentialId: input.credentialId,
    rotationId: input.rotationId,
    trigger: input.trigger,
    generation: input.generation,
    issuerKind: services.issuerFor(credential).kind,
  });
  services.log.info('rotation planned', {
    credentialId: input.credentialId,
    rotationId: input.rotationId,
    generation: input.generation,
    actor: input.requestedBy === WORKFLOW_ACTOR ? undefined : input.requestedBy,
  });
  return { proceed: true, ...timing(policy), ...previousOf(state) };
}

function timing(policy: Policy): { graceMs: number; approvalTimeoutMs?: number } {
  return {
    graceMs: policy.grace,
    ...(policy.requireApproval && { approvalTimeoutMs: policy.approvalTimeout }),
  };
}

function previousOf(state: CredentialState | undefined): { previousGeneration?: number } {
  return state?.currentGeneration !== undefined ? { previousGeneration: state.currentGeneration } : {};
}

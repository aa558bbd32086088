import { KeyturnError } from '../../core/errors';
import { RotationOutcome } from '../../telemetry/events';
import type { RollbackPlanInput, RollbackPlanResult, RollbackStepInput } from '../contracts';
import type { CredentialState, PartitionWrite, RotationRecord } from '../credential-store';
import { liveLockHolder } from '../lock';
import type { KeyturnServices } from '../services';
import {
  fingerprintOf,
  loadOwnedRotation,
  nowIso,
  replaceTarget,
  reportFinished,
  requireCredential,
  retireEverywhere,
  rotationContext,
  toSnapshot,
  unlocked,
  WORKFLOW_ACTOR,
} from './common';

/**
 * Rollback undoes the last completed rotation in one call: the previous key is reactivated, every
 * target gets back what it held before that rotation, then the rolled-back key is revoked. Until
 * the last step both keys are accepted, so a rollback interrupted anywhere causes no outage.
 */
export async function planRollback(
  input: RollbackPlanInput,
  services: KeyturnServices,
): Promise<RollbackPlanResult> {
  const credential = requireCredential(services, input.credentialId);
  const { state, etag } = await services.credentials.getState(input.credentialId);
  const refuse = async (reason: string, detail: string): Promise<RollbackPlanResult> => {
    await services.audit.record([
      {
        eventId: `${input.rollbackId}/refused`,
        type: 'rollback.refused',
        actor: input.requestedBy,
        credentialId: input.credentialId,
        rotationId: input.rollbackId,
        reason,
        details: { detail },
      },
    ]);
    return { proceed: false, reason, detail };
  };
  if (!state || etag === undefined) return refuse('never-rotated', 'the credential has no rotation to undo');
  const source = state.lastCompletedRotationId
    ? await services.credentials.getRotation(input.credentialId, state.lastCompletedRotationId)
    : undefined;
  if (state.lockRotationId === input.rollbackId && state.lockToken === input.lockToken && source) {
    return {
      proceed: true,
      restoreGeneration: source.previousGeneration ?? 0,
      sourceRotationId: source.rotationId,
    };
  }
  const holder = liveLockHolder(state, services.config.policyOf(credential), services.clock.now());
  if (holder !== undefined) return refuse('in-flight', `rotation ${holder} holds the credential`);
  if (state.currentGeneration !== input.generation) {
    return refuse('superseded', `generation ${input.generation} is no longer current`);
  }
  const problem = rollbackBlocker(state, source);
  if (problem || !source || source.previousGeneration === undefined) {
    return refuse('not-possible', problem ?? 'the last rotation left nothing to restore');
  }

  await services.audit.record([
    {
      eventId: `${input.rollbackId}/planned`,
      type: 'rollback.planned',
      actor: input.requestedBy,
      credentialId: input.credentialId,
      rotationId: input.rollbackId,
      generation: source.previousGeneration,
      reason: input.reason,
      details: { undoes: source.rotationId, rolledBackGeneration: input.generation },
    },
  ]);
  const at = nowIso(services);
  const record: RotationRecord = {
    rotationId: input.rollbackId,
    credentialId: input.credentialId,
    kind: 'rollback',
    generation: source.previousGeneration,
    previousGeneration: input.generation,
    status: 'running',
    step: 'planned',
    trigger: 'manual',
    reason: input.reason,
    requestedBy: input.requestedBy,
    emergency: false,
    startedAt: at,
    warnings: [],
    targets: [],
  };
  await services.credentials.commit(input.credentialId, etag, [
    {
      kind: 'state',
      state: {
        ...state,
        lockRotationId: input.rollbackId,
        lockToken: input.lockToken,
        lockAcquiredAt: at,
        updatedAt: at,
      },
    },
    { kind: 'rotation', record },
  ]);
  return { proceed: true, restoreGeneration: source.previousGeneration, sourceRotationId: source.rotationId };
}

function rollbackBlocker(state: CredentialState, source: RotationRecord | undefined): string | undefined {
  if (!source || source.status !== 'completed') return 'no completed rotation to undo';
  if (source.generation !== state.currentGeneration)
    return 'the last completed rotation is not the current one';
  if (source.targets.some((t) => t.state === 'absent')) return 'a target held no key before that rotation';
  if (source.targets.some((t) => t.sealedValue === undefined))
    return 'the restore points of that rotation are gone';
  return undefined;
}

/** Reactivates the previous key and puts every target back to it, then checks they hold it. */
export async function rollbackRestore(input: RollbackStepInput, services: KeyturnServices): Promise<void> {
  const { credential } = await loadOwnedRotation(services, input.credentialId, input.rollbackId);
  let record = await requireRotation(services, input.credentialId, input.rollbackId);
  const source = await requireRotation(services, input.credentialId, input.sourceRotationId);
  const restored = await services.credentials.getGeneration(input.credentialId, input.restoreGeneration);
  if (!restored) {
    throw new KeyturnError(
      'not-found',
      `Generation ${input.restoreGeneration} of ${input.credentialId} is unknown.`,
      {
        retryable: false,
      },
    );
  }
  const issuer = services.issuerFor(credential);
  await services.audit.record([
    {
      eventId: `${input.rollbackId}/reactivated`,
      type: 'key.reactivated',
      actor: WORKFLOW_ACTOR,
      credentialId: input.credentialId,
      rotationId: input.rollbackId,
      generation: input.restoreGeneration,
      fingerprint: restored.fingerprint,
    },
  ]);
  await issuer.reactivate({ credentialId: input.credentialId, generation: input.restoreGeneration });

  const context = rotationContext(
    services,
    credential,
    input.rollbackId,
    input.restoreGeneration,
    restored.fingerprint,
  );
  for (const target of services.targetsFor(credential)) {
    const point = source.targets.find((t) => t.id === target.id);
    if (!point || record.targets.some((t) => t.id === target.id && t.restored)) continue;
    await services.audit.record([
      {
        eventId: `${input.rollbackId}/restored/${target.id}`,
        type: 'target.restored',
        actor: WORKFLOW_ACTOR,
        credentialId: input.credentialId,
        rotationId: input.rollbackId,
        generation: input.restoreGeneration,
        fingerprint: restored.fingerprint,
        details: { target: target.id },
      },
    ]);
    const { written } = await target.restore(toSnapshot(services, source.rotationId, point), context);
    record = replaceTarget(record, { id: target.id, state: 'present', written, restored: true });
  }
  for (const target of services.targetsFor(credential)) {
    if (fingerprintOf(services, await target.read()) !== restored.fingerprint) {
      throw new KeyturnError('validation-failed', `Target ${target.id} does not hold the restored key.`, {
        retryable: true,
        details: { target: target.id },
      });
    }
  }
  await services.credentials.commit(input.credentialId, undefined, [
    { kind: 'rotation', record: { ...record, step: 'restored' } },
  ]);
}

/** Makes the restored generation current and revokes the rolled-back one. */
export async function rollbackFinish(input: RollbackStepInput, services: KeyturnServices): Promise<void> {
  const done = await services.credentials.getRotation(input.credentialId, input.rollbackId);
  if (done?.status === 'completed') return;
  const { credential, state, etag, rotation } = await loadOwnedRotation(
    services,
    input.credentialId,
    input.rollbackId,
  );
  const restored = await services.credentials.getGeneration(input.credentialId, input.restoreGeneration);
  const undone = await services.credentials.getGeneration(input.credentialId, input.generation);
  const source = await requireRotation(services, input.credentialId, input.sourceRotationId);
  if (!restored || !undone) {
    throw new KeyturnError('not-found', `Generations of ${input.credentialId} are missing.`, {
      retryable: false,
    });
  }
  await services.audit.record([
    {
      eventId: `${input.rollbackId}/rolled-back`,
      type: 'rotation.rolled-back',
      actor: WORKFLOW_ACTOR,
      credentialId: input.credentialId,
      rotationId: input.rollbackId,
      generation: input.restoreGeneration,
      fingerprint: restored.fingerprint,
      outcome: 'rolled-back',
      details: { undoes: input.sourceRotationId, revokedGeneration: input.generation },
    },
  ]);
  const issuer = services.issuerFor(credential);
  await issuer.activate({ credentialId: input.credentialId, generation: input.restoreGeneration });
  await issuer.revoke({ credentialId: input.credentialId, generation: input.generation });
  await retireEverywhere(services.targetsFor(credential), undone);

  const at = nowIso(services);
  const writes: PartitionWrite[] = [
    {
      kind: 'state',
      state: {
        ...unlocked(state, input.rollbackId, 'rolled-back', at),
        currentGeneration: input.restoreGeneration,
        currentFingerprint: restored.fingerprint,
        currentSince: restored.activatedAt ?? restored.createdAt,
        previousGeneration: undefined,
        previousFingerprint: undefined,
        lastCompletedRotationId: undefined,
        holdReason: `rolled back by ${input.rollbackId}; request a rotation to resume the schedule`,
      },
    },
    { kind: 'generation', record: { ...restored, status: 'current', revokedAt: undefined } },
    { kind: 'generation', record: { ...undone, status: 'revoked', revokedAt: at } },
    { kind: 'rotation', record: { ...source, status: 'rolled-back' } },
    { kind: 'rotation', record: { ...rotation, status: 'completed', step: 'finished', finishedAt: at } },
  ];
  await services.credentials.commit(input.credentialId, etag, writes);
  reportFinished(services, credential, rotation, RotationOutcome.RolledBack, rotation.reason);
}

async function requireRotation(
  services: KeyturnServices,
  credentialId: string,
  rotationId: string,
): Promise<RotationRecord> {
  const record = await services.credentials.getRotation(credentialId, rotationId);
  if (!record) {
    throw new KeyturnError('not-found', `Rotation ${rotationId} of ${credentialId} is unknown.`, {
      retryable: false,
    });
  }
  return record;
}

/**
 * Ends a rollback that could not complete: both keys stay accepted (no outage), the lock is
 * released and the failure recorded, so the rollback can be requested again.
 */
export async function rollbackAbort(
  input: RollbackStepInput & { error: string },
  services: KeyturnServices,
): Promise<void> {
  const { state, etag } = await services.credentials.getState(input.credentialId);
  const record = await services.credentials.getRotation(input.credentialId, input.rollbackId);
  if (
    !state ||
    etag === undefined ||
    !record ||
    record.status !== 'running' ||
    state.lockRotationId !== input.rollbackId
  ) {
    return;
  }
  await services.audit.record([
    {
      eventId: `${input.rollbackId}/failed`,
      type: 'rollback.failed',
      actor: WORKFLOW_ACTOR,
      credentialId: input.credentialId,
      rotationId: input.rollbackId,
      outcome: 'failed',
      reason: input.error.slice(0, 500),
    },
  ]);
  const at = nowIso(services);
  await services.credentials.commit(input.credentialId, etag, [
    { kind: 'state', state: unlocked(state, input.rollbackId, 'failed', at) },
    {
      kind: 'rotation',
      record: { ...record, status: 'failed', finishedAt: at, error: input.error.slice(0, 1000) },
    },
  ]);
}

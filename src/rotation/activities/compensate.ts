import { RotationOutcome } from '../../telemetry/events';
import type { CompensateInput } from '../contracts';
import type { PartitionWrite } from '../credential-store';
import type { KeyturnServices } from '../services';
import {
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
 * Undoes a rotation that failed before promotion: every target gets back what it held (last
 * written first), then the pending key is revoked. In that order, every target holds an accepted
 * key at every moment, and no target holds the revoked one.
 */
export async function compensate(input: CompensateInput, services: KeyturnServices): Promise<void> {
  const credential = requireCredential(services, input.credentialId);
  const { state, etag } = await services.credentials.getState(input.credentialId);
  let rotation = await services.credentials.getRotation(input.credentialId, input.rotationId);
  if (!state || etag === undefined || !rotation || rotation.status !== 'running') return;
  if (state.lockRotationId !== input.rotationId) return;

  const targets = services.targetsFor(credential);
  const context = rotationContext(
    services,
    credential,
    input.rotationId,
    input.generation,
    state.pendingFingerprint ?? 'none',
  );
  for (const record of [...rotation.targets].reverse()) {
    if (record.restored) continue;
    const target = targets.find((t) => t.id === record.id);
    if (!target) continue;
    await services.audit.record([
      {
        eventId: `${input.rotationId}/restored/${record.id}`,
        type: 'target.restored',
        actor: WORKFLOW_ACTOR,
        credentialId: input.credentialId,
        rotationId: input.rotationId,
        generation: input.generation,
        details: { target: record.id, restoredTo: record.state },
      },
    ]);
    await target.restore(toSnapshot(services, input.rotationId, record), context);
    rotation = replaceTarget(rotation, { ...record, restored: true });
    await services.credentials.commit(input.credentialId, undefined, [
      { kind: 'rotation', record: rotation },
    ]);
  }

  const issuer = services.issuerFor(credential);
  const pending = await services.credentials.getGeneration(input.credentialId, input.generation);
  const registered =
    pending !== undefined ||
    (await services.credentials.getSealed(input.credentialId, input.generation)) !== undefined;
  if (registered) {
    await services.audit.record([
      {
        eventId: `${input.rotationId}/revoked/${input.generation}`,
        type: 'key.revoked',
        actor: WORKFLOW_ACTOR,
        credentialId: input.credentialId,
        rotationId: input.rotationId,
        generation: input.generation,
        ...(state.pendingFingerprint !== undefined && { fingerprint: state.pendingFingerprint }),
        reason: 'rotation failed',
      },
    ]);
    // Undo a promotion that reached the issuer but not the inventory.
    if (state.currentGeneration !== undefined) {
      await issuer.activate({
        credentialId: input.credentialId,
        generation: state.currentGeneration,
        ...(state.previousGeneration !== undefined && { previousGeneration: state.previousGeneration }),
      });
    }
    await revokeIfIssued(issuer.revoke.bind(issuer), input.credentialId, input.generation);
    if (state.pendingFingerprint !== undefined) {
      await retireEverywhere(targets, {
        credentialId: input.credentialId,
        generation: input.generation,
        fingerprint: state.pendingFingerprint,
      });
    }
  }

  await services.audit.record([
    {
      eventId: `${input.rotationId}/failed`,
      type: 'rotation.failed',
      actor: WORKFLOW_ACTOR,
      credentialId: input.credentialId,
      rotationId: input.rotationId,
      generation: input.generation,
      outcome: 'failed',
      reason: input.error.slice(0, 500),
    },
  ]);
  const at = nowIso(services);
  const writes: PartitionWrite[] = [
    {
      kind: 'state',
      state: {
        ...unlocked(state, input.rotationId, 'failed', at),
        pendingGeneration: undefined,
        pendingFingerprint: undefined,
      },
    },
    {
      kind: 'rotation',
      record: {
        ...rotation,
        status: 'failed',
        step: 'compensated',
        finishedAt: at,
        error: input.error.slice(0, 1000),
      },
    },
    { kind: 'delete-sealed', generation: input.generation },
  ];
  if (pending) writes.push({ kind: 'generation', record: { ...pending, status: 'revoked', revokedAt: at } });
  await services.credentials.commit(input.credentialId, etag, writes);
  reportFinished(services, credential, rotation, RotationOutcome.Failed, input.error);
  services.log.warn('rotation failed and was compensated', {
    credentialId: input.credentialId,
    rotationId: input.rotationId,
    error: input.error.slice(0, 300),
  });
}

async function revokeIfIssued(
  revoke: (ref: { credentialId: string; generation: number }) => Promise<void>,
  credentialId: string,
  generation: number,
): Promise<void> {
  try {
    await revoke({ credentialId, generation });
  } catch (error) {
    // The issuer never registered the key (generation failed before that): nothing to revoke.
    if (error instanceof Error && 'kind' in error && (error as { kind: unknown }).kind === 'not-found')
      return;
    throw error;
  }
}

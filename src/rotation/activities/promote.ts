import { KeyturnError } from '../../core/errors';
import type { PromoteResult, StepInput } from '../contracts';
import type { CredentialState, PartitionWrite } from '../credential-store';
import type { KeyturnServices } from '../services';
import { loadOwnedRotation, nowIso, WORKFLOW_ACTOR } from './common';

/**
 * Step 5, promote: the pending key becomes current and the current one previous; both stay
 * accepted until the grace period ends.
 */
export async function promote(input: StepInput, services: KeyturnServices): Promise<PromoteResult> {
  const { credential, state, etag, rotation } = await loadOwnedRotation(
    services,
    input.credentialId,
    input.rotationId,
  );
  if (state.currentGeneration === input.generation) {
    return state.previousGeneration !== undefined ? { previousGeneration: state.previousGeneration } : {};
  }
  if (state.pendingGeneration !== input.generation || state.pendingFingerprint === undefined) {
    throw new KeyturnError(
      'conflict',
      `Generation ${input.generation} of ${input.credentialId} is not pending.`,
      {
        retryable: false,
        details: { credentialId: input.credentialId, generation: input.generation },
      },
    );
  }
  const issuer = services.issuerFor(credential);
  const oldCurrent = state.currentGeneration;

  await services.audit.record([
    {
      eventId: `${input.rotationId}/promoted`,
      type: 'generation.promoted',
      actor: WORKFLOW_ACTOR,
      credentialId: input.credentialId,
      rotationId: input.rotationId,
      generation: input.generation,
      fingerprint: state.pendingFingerprint,
      details: { previousGeneration: oldCurrent ?? 'none' },
    },
  ]);
  // At most one previous generation: one left over from an interrupted rotation goes now.
  if (state.previousGeneration !== undefined) {
    await issuer.revoke({ credentialId: input.credentialId, generation: state.previousGeneration });
  }
  await issuer.activate({
    credentialId: input.credentialId,
    generation: input.generation,
    ...(oldCurrent !== undefined && { previousGeneration: oldCurrent }),
  });

  const at = nowIso(services);
  const next: CredentialState = {
    ...state,
    currentGeneration: input.generation,
    currentFingerprint: state.pendingFingerprint,
    currentSince: at,
    previousGeneration: oldCurrent,
    previousFingerprint: state.currentFingerprint,
    pendingGeneration: undefined,
    pendingFingerprint: undefined,
    updatedAt: at,
  };
  const writes: PartitionWrite[] = [
    { kind: 'state', state: next },
    { kind: 'rotation', record: { ...rotation, step: 'promoted' } },
  ];
  const promoted = await services.credentials.getGeneration(input.credentialId, input.generation);
  if (promoted)
    writes.push({ kind: 'generation', record: { ...promoted, status: 'current', activatedAt: at } });
  if (oldCurrent !== undefined) {
    const demoted = await services.credentials.getGeneration(input.credentialId, oldCurrent);
    if (demoted) writes.push({ kind: 'generation', record: { ...demoted, status: 'previous' } });
  }
  if (state.previousGeneration !== undefined) {
    const stale = await services.credentials.getGeneration(input.credentialId, state.previousGeneration);
    if (stale) writes.push({ kind: 'generation', record: { ...stale, status: 'revoked', revokedAt: at } });
  }
  await services.credentials.commit(input.credentialId, etag, writes);
  return oldCurrent !== undefined ? { previousGeneration: oldCurrent } : {};
}

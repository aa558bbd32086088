import { RotationOutcome } from '../../telemetry/events';
import type { ApprovalInput } from '../contracts';
import type { KeyturnServices } from '../services';
import { loadOwnedRotation, nowIso, reportFinished, unlocked } from './common';

export interface ApprovalResult {
  readonly proceed: boolean;
}

/**
 * Records the decision on a rotation its policy held for approval. An approval lets the rotation
 * go on to generate its key; a rejection (or a wait that timed out) ends it with nothing changed:
 * the lock is released and the generation number is left unused.
 */
export async function recordApproval(
  input: ApprovalInput,
  services: KeyturnServices,
): Promise<ApprovalResult> {
  const done = await services.credentials.getRotation(input.credentialId, input.rotationId);
  if (done?.status === 'skipped') return { proceed: false };
  const { credential, state, etag, rotation } = await loadOwnedRotation(
    services,
    input.credentialId,
    input.rotationId,
  );
  if (rotation.step === 'approved') return { proceed: true };

  await services.audit.record([
    {
      eventId: `${input.rotationId}/${input.approved ? 'approved' : 'declined'}`,
      type: input.approved ? 'rotation.approved' : 'rotation.declined',
      actor: input.by,
      credentialId: input.credentialId,
      rotationId: input.rotationId,
      generation: input.generation,
      ...(input.comment !== undefined && { reason: input.comment }),
    },
  ]);
  if (input.approved) {
    await services.credentials.commit(input.credentialId, undefined, [
      { kind: 'rotation', record: { ...rotation, step: 'approved' } },
    ]);
    return { proceed: true };
  }

  const at = nowIso(services);
  const detail = `not approved by ${input.by}${input.comment ? `: ${input.comment}` : ''}`;
  await services.credentials.commit(input.credentialId, etag, [
    {
      kind: 'state',
      state: { ...unlocked(state, input.rotationId, 'declined', at), pendingGeneration: undefined },
    },
    {
      kind: 'rotation',
      record: {
        ...rotation,
        status: 'skipped',
        step: 'declined',
        finishedAt: at,
        error: detail.slice(0, 1000),
      },
    },
  ]);
  reportFinished(services, credential, rotation, RotationOutcome.Skipped, detail);
  return { proceed: false };
}

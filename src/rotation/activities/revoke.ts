import type { Target } from '../../adapters/ports';
import type { StepInput } from '../contracts';
import type { KeyturnServices } from '../services';
import { fingerprintOf, loadOwnedRotation, nowIso, retireEverywhere, WORKFLOW_ACTOR } from './common';

export interface RevokeResult {
  readonly revoked: boolean;
  readonly warning?: string;
}

/**
 * Step 7, revoke: after the grace period the previous key is revoked at the issuer (still
 * reactivatable). A target that still holds it blocks the revocation: an outage is worse than a
 * key that lives a little longer, and the warning says so.
 */
export async function revokePrevious(input: StepInput, services: KeyturnServices): Promise<RevokeResult> {
  const { credential, state, etag, rotation } = await loadOwnedRotation(
    services,
    input.credentialId,
    input.rotationId,
  );
  if (rotation.step === 'revoked') return { revoked: true };
  const previous = state.previousGeneration;
  if (previous === undefined || state.previousFingerprint === undefined) return { revoked: false };

  const holder = await findHolder(services, services.targetsFor(credential), state.previousFingerprint);
  if (holder) {
    const warning = `previous generation ${previous} not revoked: target ${holder} still holds it`;
    await services.audit.record([
      {
        eventId: `${input.rotationId}/revoke-blocked`,
        type: 'key.revoke-blocked',
        actor: WORKFLOW_ACTOR,
        credentialId: input.credentialId,
        rotationId: input.rotationId,
        generation: previous,
        fingerprint: state.previousFingerprint,
        details: { target: holder },
      },
    ]);
    return { revoked: false, warning };
  }

  await services.audit.record([
    {
      eventId: `${input.rotationId}/revoked/${previous}`,
      type: 'key.revoked',
      actor: WORKFLOW_ACTOR,
      credentialId: input.credentialId,
      rotationId: input.rotationId,
      generation: previous,
      fingerprint: state.previousFingerprint,
      reason: 'grace period ended',
    },
  ]);
  await services.issuerFor(credential).revoke({ credentialId: input.credentialId, generation: previous });
  await retireEverywhere(services.targetsFor(credential), {
    credentialId: input.credentialId,
    generation: previous,
    fingerprint: state.previousFingerprint,
  });
  const at = nowIso(services);
  const record = await services.credentials.getGeneration(input.credentialId, previous);
  await services.credentials.commit(input.credentialId, etag, [
    {
      kind: 'state',
      state: { ...state, previousGeneration: undefined, previousFingerprint: undefined, updatedAt: at },
    },
    ...(record
      ? [{ kind: 'generation' as const, record: { ...record, status: 'revoked' as const, revokedAt: at } }]
      : []),
    { kind: 'rotation', record: { ...rotation, step: 'revoked' } },
  ]);
  return { revoked: true };
}

async function findHolder(
  services: KeyturnServices,
  targets: readonly Target[],
  fingerprint: string,
): Promise<string | undefined> {
  for (const target of targets) {
    if (fingerprintOf(services, await target.read()) === fingerprint) return target.id;
  }
  return undefined;
}

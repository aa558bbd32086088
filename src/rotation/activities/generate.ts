import type { PendingStash } from '../../adapters/ports';
import type { GenerateResult, StepInput } from '../contracts';
import type { KeyturnServices } from '../services';
import { loadOwnedRotation, nowIso, pendingKeyContext, WORKFLOW_ACTOR } from './common';

/**
 * Step 2, generate: the issuer creates the new key as pending. The key is sealed into the
 * credential's partition before anyone else learns of it, so a retry reuses it.
 */
export async function generate(input: StepInput, services: KeyturnServices): Promise<GenerateResult> {
  const { credential, state, etag, rotation } = await loadOwnedRotation(
    services,
    input.credentialId,
    input.rotationId,
  );
  const context = pendingKeyContext(input.credentialId, input.generation);
  const stash: PendingStash = {
    async getOrCreate(create) {
      const existing = await services.credentials.getSealed(input.credentialId, input.generation);
      if (existing !== undefined) return services.keyring.open(existing, context);
      const sealed = services.keyring.seal(await create(), context);
      const kept = await services.credentials.putSealedIfAbsent(input.credentialId, input.generation, sealed);
      return services.keyring.open(kept, context);
    },
  };
  const value = await services
    .issuerFor(credential)
    .issue(
      { credentialId: input.credentialId, generation: input.generation, rotationId: input.rotationId },
      stash,
    );
  const fingerprint = services.keyring.fingerprint(value);

  await services.audit.record([
    {
      eventId: `${input.rotationId}/generated`,
      type: 'key.generated',
      actor: WORKFLOW_ACTOR,
      credentialId: input.credentialId,
      rotationId: input.rotationId,
      generation: input.generation,
      fingerprint,
      details: { issuer: credential.issuer },
    },
  ]);
  if (state.pendingFingerprint === fingerprint && rotation.step !== 'planned') return { fingerprint };

  const at = nowIso(services);
  await services.credentials.commit(input.credentialId, etag, [
    { kind: 'state', state: { ...state, pendingFingerprint: fingerprint, updatedAt: at } },
    {
      kind: 'generation',
      record: {
        credentialId: input.credentialId,
        generation: input.generation,
        status: 'pending',
        fingerprint,
        rotationId: input.rotationId,
        createdAt: at,
      },
    },
    { kind: 'rotation', record: { ...rotation, step: 'generated' } },
  ]);
  return { fingerprint };
}

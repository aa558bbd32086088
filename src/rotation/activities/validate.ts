import { KeyturnError } from '../../core/errors';
import type { StepInput } from '../contracts';
import type { KeyturnServices } from '../services';
import { loadOwnedRotation, openPendingKey, rotationContext, WORKFLOW_ACTOR } from './common';

/**
 * Step 4, validate: every target must hold the new key, the issuer must accept it, and every
 * validator must pass with it. Any failure leads to compensation.
 */
export async function validate(input: StepInput, services: KeyturnServices): Promise<void> {
  const { credential, state, rotation } = await loadOwnedRotation(
    services,
    input.credentialId,
    input.rotationId,
  );
  const value = await openPendingKey(services, input.credentialId, input.generation);
  const fingerprint = state.pendingFingerprint ?? services.keyring.fingerprint(value);
  const context = rotationContext(services, credential, input.rotationId, input.generation, fingerprint);

  for (const target of services.targetsFor(credential)) {
    const held = await target.read();
    if (held.state !== 'present' || !held.value.equals(value)) {
      throw new KeyturnError('validation-failed', `Target ${target.id} does not hold the new key.`, {
        retryable: false,
        details: { target: target.id, credentialId: input.credentialId },
      });
    }
  }
  const issuer = services.issuerFor(credential);
  if (issuer.accepts && !(await issuer.accepts(value))) {
    throw new KeyturnError('validation-failed', `Issuer ${credential.issuer} does not accept the new key.`, {
      retryable: false,
      details: { issuer: credential.issuer },
    });
  }
  const validators = services.validatorsFor(credential);
  for (const validator of validators) await validator.validate(value, context);

  await services.audit.record([
    {
      eventId: `${input.rotationId}/validated`,
      type: 'key.validated',
      actor: WORKFLOW_ACTOR,
      credentialId: input.credentialId,
      rotationId: input.rotationId,
      generation: input.generation,
      fingerprint,
      details: { validators: validators.map((v) => v.id).join(', ') || 'none' },
    },
  ]);
  if (rotation.step !== 'validated') {
    await services.credentials.commit(input.credentialId, undefined, [
      { kind: 'rotation', record: { ...rotation, step: 'validated' } },
    ]);
  }
}

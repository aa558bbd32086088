import type { DistributeResult, StepInput } from '../contracts';
import type { KeyturnServices } from '../services';
import {
  loadOwnedRotation,
  openPendingKey,
  replaceTarget,
  rotationContext,
  toTargetRecord,
  WORKFLOW_ACTOR,
} from './common';

/**
 * Step 3, distribute: writes the pending key to every target in order. Before its first write to
 * a target, the step records (sealed) what the target held, so compensation and rollback can put
 * it back; a re-run never captures twice, so it never mistakes the new key for the old one.
 */
export async function distribute(input: StepInput, services: KeyturnServices): Promise<DistributeResult> {
  const owned = await loadOwnedRotation(services, input.credentialId, input.rotationId);
  const { credential, state } = owned;
  let rotation = owned.rotation;
  const value = await openPendingKey(services, input.credentialId, input.generation);
  const context = rotationContext(
    services,
    credential,
    input.rotationId,
    input.generation,
    state.pendingFingerprint ?? services.keyring.fingerprint(value),
  );

  // Intent first: with the audit trail down, no target is touched.
  await services.audit.record([
    {
      eventId: `${input.rotationId}/distributing`,
      type: 'key.distributing',
      actor: WORKFLOW_ACTOR,
      credentialId: input.credentialId,
      rotationId: input.rotationId,
      generation: input.generation,
      fingerprint: context.fingerprint,
    },
  ]);

  const results: { id: string; written: boolean }[] = [];
  for (const target of services.targetsFor(credential)) {
    let record = rotation.targets.find((t) => t.id === target.id);
    if (!record) {
      record = toTargetRecord(services, input.rotationId, target.id, await target.read());
      rotation = replaceTarget({ ...rotation, step: 'distributing' }, record);
      await services.credentials.commit(input.credentialId, undefined, [
        { kind: 'rotation', record: rotation },
      ]);
    }
    const { written } = await target.write(value, context);
    // Reported as "this rotation wrote it", so a re-run answers as the first run did.
    results.push({ id: target.id, written: record.written || written });
    if (!record.written) {
      await services.audit.record([
        {
          eventId: `${input.rotationId}/distributed/${target.id}`,
          type: 'key.distributed',
          actor: WORKFLOW_ACTOR,
          credentialId: input.credentialId,
          rotationId: input.rotationId,
          generation: input.generation,
          fingerprint: context.fingerprint,
          details: { target: target.id, kind: target.kind },
        },
      ]);
      rotation = replaceTarget(rotation, { ...record, written: true });
      await services.credentials.commit(input.credentialId, undefined, [
        { kind: 'rotation', record: rotation },
      ]);
    }
  }
  await services.credentials.commit(input.credentialId, undefined, [
    { kind: 'rotation', record: { ...rotation, step: 'distributed' } },
  ]);
  return { targets: results };
}

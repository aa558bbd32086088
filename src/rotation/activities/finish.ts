import { RotationOutcome } from '../../telemetry/events';
import type { FinishInput } from '../contracts';
import type { PartitionWrite, RotationRecord } from '../credential-store';
import type { KeyturnServices } from '../services';
import {
  fingerprintOf,
  loadOwnedRotation,
  nowIso,
  reportFinished,
  retireEverywhere,
  unlocked,
  WORKFLOW_ACTOR,
} from './common';

/**
 * Step 8, finish: records the outcome, releases the lock, drops the sealed pending key (it now
 * lives only in the targets) and keeps restore points only for the latest completed rotation,
 * which is what a rollback needs. Pending generations left by interrupted rotations that no
 * target holds are revoked here, so no accepted key is left behind.
 */
export async function finish(input: FinishInput, services: KeyturnServices): Promise<void> {
  // A re-run after the first run released the lock finds the work done.
  const done = await services.credentials.getRotation(input.credentialId, input.rotationId);
  if (done?.status === 'completed') return;
  const { credential, state, etag, rotation } = await loadOwnedRotation(
    services,
    input.credentialId,
    input.rotationId,
  );
  const issuer = services.issuerFor(credential);
  const targets = services.targetsFor(credential);
  const orphans = (await services.credentials.getGenerations(input.credentialId)).filter(
    (g) => g.status === 'pending' && g.generation !== input.generation,
  );
  // Targets are read only when there is an orphan to judge, which is rare.
  const held = new Set<string>();
  if (orphans.length > 0) {
    for (const target of targets) {
      const fingerprint = fingerprintOf(services, await target.read());
      if (fingerprint) held.add(fingerprint);
    }
  }
  const at = nowIso(services);
  const writes: PartitionWrite[] = [];
  for (const orphan of orphans) {
    if (held.has(orphan.fingerprint)) continue;
    await services.audit.record([
      {
        eventId: `${input.rotationId}/revoked/${orphan.generation}`,
        type: 'key.revoked',
        actor: WORKFLOW_ACTOR,
        credentialId: input.credentialId,
        rotationId: input.rotationId,
        generation: orphan.generation,
        fingerprint: orphan.fingerprint,
        reason: 'left pending by an interrupted rotation',
      },
    ]);
    await issuer.revoke({ credentialId: input.credentialId, generation: orphan.generation });
    await retireEverywhere(targets, orphan);
    writes.push({ kind: 'generation', record: { ...orphan, status: 'revoked', revokedAt: at } });
  }

  await services.audit.record([
    {
      eventId: `${input.rotationId}/completed`,
      type: 'rotation.completed',
      actor: WORKFLOW_ACTOR,
      credentialId: input.credentialId,
      rotationId: input.rotationId,
      generation: input.generation,
      ...(state.currentFingerprint !== undefined && { fingerprint: state.currentFingerprint }),
      outcome: 'completed',
      ...(input.warnings.length > 0 && { details: { warnings: input.warnings.join('; ') } }),
    },
  ]);

  for (const older of await services.credentials.listRotations(input.credentialId)) {
    if (older.rotationId !== input.rotationId && older.targets.some((t) => t.sealedValue !== undefined)) {
      writes.push({ kind: 'rotation', record: withoutRestorePoints(older) });
    }
  }
  await services.credentials.commit(input.credentialId, etag, [
    {
      kind: 'state',
      state: {
        ...unlocked(state, input.rotationId, 'completed', at),
        lastCompletedRotationId: input.rotationId,
      },
    },
    {
      kind: 'rotation',
      record: {
        ...rotation,
        status: 'completed',
        step: 'finished',
        finishedAt: at,
        warnings: input.warnings,
      },
    },
    { kind: 'delete-sealed', generation: input.generation },
    ...writes,
  ]);
  reportFinished(
    services,
    credential,
    rotation,
    RotationOutcome.Completed,
    input.warnings.join('; ') || undefined,
  );
  services.log.info('rotation completed', {
    credentialId: input.credentialId,
    rotationId: input.rotationId,
    generation: input.generation,
  });
}

function withoutRestorePoints(rotation: RotationRecord): RotationRecord {
  return {
    ...rotation,
    targets: rotation.targets.map(({ sealedValue: _dropped, ...rest }) => rest),
  };
}

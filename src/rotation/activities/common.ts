import type { RetiredKey, RotationContext, Target, TargetSnapshot } from '../../adapters/ports';
import type { CredentialConfig } from '../../config/schema';
import { KeyturnError } from '../../core/errors';
import { SecretValue } from '../../core/secret';
import { type RotationOutcomeName, TelemetryEvent } from '../../telemetry/events';
import type { CredentialState, RotationRecord, TargetRecord } from '../credential-store';
import type { KeyturnServices } from '../services';

/** The actor recorded for steps the workflow takes on its own. */
export const WORKFLOW_ACTOR = 'system:keyturn';

export interface OwnedRotation {
  readonly credential: CredentialConfig;
  readonly state: CredentialState;
  readonly etag: string;
  readonly rotation: RotationRecord;
}

/**
 * Loads what a step works on and checks that the rotation still holds the credential: a step of a
 * rotation that lost its lock must not touch anything.
 */
export async function loadOwnedRotation(
  services: KeyturnServices,
  credentialId: string,
  rotationId: string,
): Promise<OwnedRotation> {
  const credential = requireCredential(services, credentialId);
  const { state, etag } = await services.credentials.getState(credentialId);
  const rotation = await services.credentials.getRotation(credentialId, rotationId);
  if (!state || etag === undefined || !rotation) {
    throw new KeyturnError('not-found', `Rotation ${rotationId} has no record for ${credentialId}.`, {
      retryable: false,
      details: { credentialId, rotationId },
    });
  }
  if (state.lockRotationId !== rotationId) {
    throw new KeyturnError(
      'conflict',
      `Rotation ${rotationId} no longer holds ${credentialId} (held by ${state.lockRotationId ?? 'nobody'}).`,
      { retryable: false, details: { credentialId, rotationId } },
    );
  }
  return { credential, state, etag, rotation };
}

export function requireCredential(services: KeyturnServices, credentialId: string): CredentialConfig {
  const credential = services.config.credential(credentialId);
  if (!credential) {
    throw new KeyturnError('not-found', `Credential ${credentialId} is not in the configuration.`, {
      retryable: false,
      details: { credentialId },
    });
  }
  return credential;
}

/** Associated data binding a sealed pending key to its credential and generation. */
export function pendingKeyContext(credentialId: string, generation: number): string {
  return `pending/${credentialId}/g${generation}`;
}

/** Associated data binding a sealed restore point to its rotation and target. */
export function restorePointContext(rotationId: string, targetId: string): string {
  return `restore/${rotationId}/${targetId}`;
}

export async function openPendingKey(
  services: KeyturnServices,
  credentialId: string,
  generation: number,
): Promise<SecretValue> {
  const sealed = await services.credentials.getSealed(credentialId, generation);
  if (sealed === undefined) {
    throw new KeyturnError(
      'not-found',
      `The pending key of ${credentialId} generation ${generation} is gone.`,
      {
        retryable: false,
        details: { credentialId, generation },
      },
    );
  }
  return services.keyring.open(sealed, pendingKeyContext(credentialId, generation));
}

export function rotationContext(
  services: KeyturnServices,
  credential: CredentialConfig,
  rotationId: string,
  generation: number,
  fingerprint: string,
): RotationContext {
  const policy = services.config.policyOf(credential);
  return {
    credentialId: credential.id,
    rotationId,
    generation,
    fingerprint,
    expiresAt: new Date(services.clock.now().getTime() + policy.maxAge),
  };
}

export function toTargetRecord(
  services: KeyturnServices,
  rotationId: string,
  targetId: string,
  snapshot: TargetSnapshot,
): TargetRecord {
  const base = {
    id: targetId,
    written: false,
    restored: false,
    ...(snapshot.detail && { detail: snapshot.detail }),
  };
  if (snapshot.state === 'absent') return { ...base, state: 'absent' };
  return {
    ...base,
    state: 'present',
    sealedValue: services.keyring.seal(snapshot.value, restorePointContext(rotationId, targetId)),
    ...(snapshot.version !== undefined && { version: snapshot.version }),
  };
}

export function toSnapshot(
  services: KeyturnServices,
  rotationId: string,
  record: TargetRecord,
): TargetSnapshot {
  const detail = record.detail ? { detail: record.detail } : {};
  if (record.state === 'absent' || record.sealedValue === undefined) return { state: 'absent', ...detail };
  return {
    state: 'present',
    value: services.keyring.open(record.sealedValue, restorePointContext(rotationId, record.id)),
    ...(record.version !== undefined && { version: record.version }),
    ...detail,
  };
}

export function replaceTarget(rotation: RotationRecord, record: TargetRecord): RotationRecord {
  const others = rotation.targets.filter((t) => t.id !== record.id);
  const index = rotation.targets.findIndex((t) => t.id === record.id);
  const targets = [...others];
  targets.splice(index < 0 ? targets.length : index, 0, record);
  return { ...rotation, targets };
}

/** Fingerprint of what a target holds, or undefined when it holds nothing. */
export function fingerprintOf(services: KeyturnServices, snapshot: TargetSnapshot): string | undefined {
  return snapshot.state === 'present' ? services.keyring.fingerprint(snapshot.value) : undefined;
}

export function nowIso(services: KeyturnServices): string {
  return services.clock.now().toISOString();
}

/** Releases the lock and records how the rotation ended, keeping every other field. */
export function unlocked(
  state: CredentialState,
  rotationId: string,
  outcome: string,
  at: string,
): CredentialState {
  return {
    ...state,
    lockRotationId: undefined,
    lockToken: undefined,
    lockAcquiredAt: undefined,
    lastRotationId: rotationId,
    lastOutcome: outcome,
    lastFinishedAt: at,
    updatedAt: at,
  };
}

/** Tells every target that keeps versions that a key was revoked, so it disables its copies. */
export async function retireEverywhere(targets: readonly Target[], key: RetiredKey): Promise<void> {
  for (const target of targets) await target.retire?.(key);
}

/** Sends `keyturn.rotation.finished`, the event the workbook and the failed-rotation alert read. */
export function reportFinished(
  services: KeyturnServices,
  credential: CredentialConfig,
  record: Pick<RotationRecord, 'rotationId' | 'credentialId' | 'trigger' | 'generation' | 'startedAt'>,
  outcome: RotationOutcomeName,
  reason?: string,
): void {
  services.telemetry.event(TelemetryEvent.RotationFinished, {
    credentialId: record.credentialId,
    rotationId: record.rotationId,
    trigger: record.trigger,
    generation: record.generation,
    issuerKind: services.issuerFor(credential).kind,
    outcome,
    ...(reason !== undefined && { reason: reason.slice(0, 200) }),
    durationMs: services.clock.now().getTime() - Date.parse(record.startedAt),
  });
}

import type { CredentialConfig } from '../config/schema';
import { assessCompliance } from '../core/policy';
import type { CredentialState, GenerationRecord, RotationRecord } from './credential-store';
import { liveLockHolder } from './lock';
import type { KeyturnServices } from './services';

const DAY_MS = 24 * 60 * 60 * 1000;

/** How the API shows a credential: configuration, state and compliance. No key material. */
export function credentialView(
  services: KeyturnServices,
  credential: CredentialConfig,
  state: CredentialState | undefined,
) {
  const policy = services.config.policyOf(credential);
  const compliance = assessCompliance(
    state?.currentSince ? new Date(state.currentSince) : undefined,
    policy,
    services.clock.now(),
  );
  return {
    id: credential.id,
    ...(credential.description !== undefined && { description: credential.description }),
    owner: credential.owner,
    application: credential.application,
    environment: credential.environment,
    issuer: credential.issuer,
    policy: credential.policy,
    mode: credential.mode,
    compliance: {
      state: compliance.state,
      ...(compliance.ageMs !== undefined && { ageDays: Math.floor((compliance.ageMs / DAY_MS) * 10) / 10 }),
      ...(compliance.renewFrom && { renewFrom: compliance.renewFrom.toISOString() }),
      ...(compliance.dueAt && { dueAt: compliance.dueAt.toISOString() }),
      ...(compliance.overdueAt && { overdueAt: compliance.overdueAt.toISOString() }),
    },
    current:
      state?.currentGeneration !== undefined
        ? {
            generation: state.currentGeneration,
            fingerprint: state.currentFingerprint,
            since: state.currentSince,
          }
        : null,
    previous:
      state?.previousGeneration !== undefined
        ? { generation: state.previousGeneration, fingerprint: state.previousFingerprint }
        : null,
    pending: state?.pendingGeneration !== undefined ? { generation: state.pendingGeneration } : null,
    rotationInFlight: liveLockHolder(state, policy, services.clock.now()) ?? null,
    onHold: state?.holdReason ?? null,
    lastRotation: state?.lastRotationId
      ? { rotationId: state.lastRotationId, outcome: state.lastOutcome, finishedAt: state.lastFinishedAt }
      : null,
    targets: services.targetsFor(credential).map((t) => ({ id: t.id, kind: t.kind })),
  };
}

export function generationView(record: GenerationRecord) {
  return {
    generation: record.generation,
    status: record.status,
    fingerprint: record.fingerprint,
    rotationId: record.rotationId,
    createdAt: record.createdAt,
    activatedAt: record.activatedAt ?? null,
    revokedAt: record.revokedAt ?? null,
  };
}

/** A rotation as the API shows it: restore points are reduced to whether they exist. */
export function rotationView(record: RotationRecord, runtimeStatus?: string) {
  return {
    rotationId: record.rotationId,
    credentialId: record.credentialId,
    kind: record.kind,
    generation: record.generation,
    previousGeneration: record.previousGeneration ?? null,
    status: record.status,
    step: record.step,
    trigger: record.trigger,
    reason: record.reason,
    requestedBy: record.requestedBy,
    emergency: record.emergency,
    startedAt: record.startedAt,
    finishedAt: record.finishedAt ?? null,
    error: record.error ?? null,
    warnings: record.warnings,
    targets: record.targets.map((t) => ({
      id: t.id,
      heldBefore: t.state,
      written: t.written,
      restored: t.restored,
    })),
    ...(runtimeStatus !== undefined && { runtimeStatus }),
  };
}

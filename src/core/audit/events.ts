/**
 * The audit event vocabulary. Every state change keyturn makes is recorded as one of these types;
 * reports, workbooks and auditors read them by name, so a type is never renamed or removed, only
 * added. Adding one is one line here: the union, the guard and the docs all derive from this map.
 */
export const AuditEventType = {
  /** Someone or something asked for a rotation (timer scan, HTTP call, rollback, event). */
  RotationRequested: 'rotation.requested',
  /** Plan decided to rotate: policy, window, freeze, lock and location binding all allow it. */
  RotationPlanned: 'rotation.planned',
  /** Plan decided not to rotate; `reason` says why. */
  RotationSkipped: 'rotation.skipped',
  /** The issuer created the key of a new generation, pending. */
  KeyGenerated: 'key.generated',
  /** What a target held before keyturn wrote to it was recorded, so it can be restored. */
  TargetCaptured: 'target.captured',
  /** Intent: the pending key is about to be written to the targets. */
  KeyDistributing: 'key.distributing',
  /** The pending key was written to one target (or was already there). */
  KeyDistributed: 'key.distributed',
  /** A validator accepted (or rejected, see `outcome`) the pending key. */
  KeyValidated: 'key.validated',
  /** Pending became current and current became previous. */
  GenerationPromoted: 'generation.promoted',
  /** A generation's key was revoked at its issuer. */
  KeyRevoked: 'key.revoked',
  /** A revoke was held back because a target still holds the key (no zombie). */
  KeyRevokeBlocked: 'key.revoke-blocked',
  /** A revoked generation's key was accepted again (rollback). */
  KeyReactivated: 'key.reactivated',
  /** A target was put back to what it held before (compensation or rollback). */
  TargetRestored: 'target.restored',
  /** A person approved a rotation that its policy holds for approval. */
  RotationApproved: 'rotation.approved',
  /** A rotation held for approval was rejected, or nobody decided in time; nothing was changed. */
  RotationDeclined: 'rotation.declined',
  RotationCompleted: 'rotation.completed',
  /** A rotation failed and was compensated; `reason` says why. */
  RotationFailed: 'rotation.failed',
  RotationRolledBack: 'rotation.rolled-back',
  /** A rollback was accepted and is about to reactivate the previous generation. */
  RollbackPlanned: 'rollback.planned',
  /** A rollback was refused before any change; `reason` says why. */
  RollbackRefused: 'rollback.refused',
  RollbackFailed: 'rollback.failed',
  /** A configuration version was validated and loaded. */
  ConfigLoaded: 'config.loaded',
} as const;

export type AuditEventTypeName = (typeof AuditEventType)[keyof typeof AuditEventType];

export const AUDIT_EVENT_TYPES: ReadonlySet<string> = new Set<string>(Object.values(AuditEventType));

/** Extra facts about an event: flat, typed scalars, so nothing structured (a key object) slips in. */
export type AuditDetails = Readonly<Record<string, string | number | boolean>>;

/**
 * One state change. Identifiers and fingerprints only: callers pass `fingerprint` (the keyed
 * fingerprint from the keyring), never a key, and `details` hold names, versions and counts, never
 * values read from or written to a target. The guard refuses events that break these rules.
 */
export type AuditEvent = Readonly<{
  type: AuditEventTypeName;
  /** When the change happened, as an ISO 8601 UTC timestamp (`Date.prototype.toISOString`). */
  at: string;
  /** Who caused it: `system:<component>`, `user:<principal>`, … */
  actor: string;
  credentialId?: string;
  rotationId?: string;
  generation?: number;
  /** Fingerprint of the key the event is about (`fp_…`), never the key. */
  fingerprint?: string;
  /** Short token such as `succeeded`, `failed`, `skipped`. */
  outcome?: string;
  reason?: string;
  details?: AuditDetails;
}>;

/**
 * An event with its idempotency key. The first record of an `eventId` wins: appending it again
 * (an activity that runs twice) returns that record and writes nothing, even when the retry's
 * content differs (it read the clock again). Use `<rotationId>/<step>/<target>`-style ids.
 */
export type AuditEntry = AuditEvent & Readonly<{ eventId: string }>;

/**
 * The custom events keyturn sends to Application Insights (table `customEvents`). Workbooks and
 * alert rules in `infra/` and `templates/` query these names and dimensions and nothing else, so
 * a change here is a change to the monitoring contract: update docs/events.md with it.
 */
export const TelemetryEvent = {
  /** A rotation was started (timer scan, manual request, rollback or event trigger). */
  RotationStarted: 'keyturn.rotation.started',
  /** One protocol step of a rotation finished (successfully or not). */
  RotationStep: 'keyturn.rotation.step',
  /** A rotation reached a terminal state; `outcome` says which. */
  RotationFinished: 'keyturn.rotation.finished',
  /** The policy scan evaluated the inventory. */
  ScanCompleted: 'keyturn.scan.completed',
  /** The audit chain was verified. */
  AuditVerified: 'keyturn.audit.verified',
} as const;

export type TelemetryEventName = (typeof TelemetryEvent)[keyof typeof TelemetryEvent];

/** Terminal outcomes of a rotation, the `outcome` dimension of `keyturn.rotation.finished`. */
export const RotationOutcome = {
  Completed: 'completed',
  /** Compensated: every target restored, the pending key revoked. */
  Failed: 'failed',
  /** Plan decided not to rotate (policy, change window, freeze, lock). */
  Skipped: 'skipped',
  RolledBack: 'rolled-back',
} as const;

export type RotationOutcomeName = (typeof RotationOutcome)[keyof typeof RotationOutcome];

/**
 * Dimensions (customDimensions) carried by rotation events. Values are identifiers and
 * fingerprints only, never key material.
 */
export interface RotationEventDimensions {
  readonly credentialId: string;
  readonly rotationId: string;
  readonly trigger?: 'schedule' | 'manual' | 'rollback' | 'event';
  readonly step?: string;
  readonly outcome?: RotationOutcomeName | 'succeeded' | 'error';
  readonly reason?: string;
  readonly durationMs?: number;
  readonly generation?: number;
  readonly issuerKind?: string;
}

import type { Issuer, Target, Validator } from '../adapters/ports';
import type { LoadedConfig } from '../config/load';
import type { CredentialConfig } from '../config/schema';
import type { Clock } from '../core/clock';
import type { Keyring } from '../crypto/keyring';
import type { Logger, Telemetry } from '../telemetry/telemetry';
import type { CredentialStore } from './credential-store';

/** One audit event as the workflow records it; see src/core/audit for the chained form. */
export interface AuditEntry {
  /** Idempotency key: the same event recorded twice (a re-run activity) is kept once. */
  readonly eventId: string;
  readonly type: string;
  readonly actor: string;
  readonly credentialId?: string;
  readonly rotationId?: string;
  readonly generation?: number;
  readonly fingerprint?: string;
  readonly outcome?: string;
  readonly reason?: string;
  readonly details?: Readonly<Record<string, string | number | boolean>>;
}

/**
 * The audit trail as the workflow sees it. `record` resolves only once the events are durably
 * chained; when it throws, the caller must not make the change it was about to make.
 */
export interface AuditSink {
  record(entries: readonly AuditEntry[]): Promise<void>;
}

export interface AuditReport {
  readonly ok: boolean;
  readonly checked: number;
  readonly firstBadSeq?: number;
  readonly problem?: string;
}

/** Everything the workflow's activities and the HTTP edge use, built once per process. */
export interface KeyturnServices {
  readonly clock: Clock;
  readonly config: LoadedConfig;
  readonly credentials: CredentialStore;
  readonly audit: AuditSink;
  readonly keyring: Keyring;
  readonly telemetry: Telemetry;
  readonly log: Logger;
  issuerFor(credential: CredentialConfig): Issuer;
  targetsFor(credential: CredentialConfig): Target[];
  validatorsFor(credential: CredentialConfig): Validator[];
  /** Verifies a presented managed key (the verify endpoint). */
  verifyManagedKey(
    presented: string,
  ): Promise<{ valid: true; credentialId: string; generation: number; status: string } | { valid: false }>;
  verifyAudit(): Promise<AuditReport>;
}

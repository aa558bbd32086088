import type { z } from 'zod';

import type { Clock } from '../core/clock';
import type { SecretValue } from '../core/secret';
import type { AzureContext } from './azure/context';

/**
 * The narrow interfaces that targets, issuers and validators implement. The rotation protocol is
 * written once against these; an adapter implements only the step bodies. Every method must be
 * safe to call again with the same arguments (activities run at least once) and must never put a
 * secret value into an error, a log line or a return value other than the one meant to carry it.
 */

/** Which generation of which credential an adapter call is about. */
export interface GenerationRef {
  readonly credentialId: string;
  readonly generation: number;
}

export interface RotationContext extends GenerationRef {
  readonly rotationId: string;
  /** Fingerprint of the key being written (for tags and metadata; never the key). */
  readonly fingerprint: string;
  /** When the key reaches its maximum age, for targets that record an expiry. */
  readonly expiresAt?: Date;
}

/** What a target held before keyturn wrote to it: enough to put it back. */
export type TargetSnapshot =
  | { readonly state: 'absent'; readonly detail?: Readonly<Record<string, string>> }
  | {
      readonly state: 'present';
      readonly value: SecretValue;
      /** Service-side version of that value (a Key Vault secret version, an ETag, …). */
      readonly version?: string;
      readonly detail?: Readonly<Record<string, string>>;
    };

export interface WriteResult {
  /** False when the target already held the value, so nothing was written. */
  readonly written: boolean;
}

/** A place a key is distributed to. */
export interface Target {
  readonly kind: string;
  /** Stable, human-readable address of the location (kind plus path or resource), never a value. */
  readonly id: string;
  /** Reads what the target holds now. */
  read(): Promise<TargetSnapshot>;
  /** Writes the key unless the target already holds it. */
  write(value: SecretValue, context: RotationContext): Promise<WriteResult>;
  /** Puts back what `read()` returned earlier. */
  restore(snapshot: TargetSnapshot, context: RotationContext): Promise<WriteResult>;
  /**
   * Called after the issuer revoked a key this target may still keep a copy of (as an older
   * version): a target that keeps versions disables the one holding it. Optional; idempotent.
   */
  retire?(key: RetiredKey): Promise<void>;
}

/** A key that was revoked at its issuer. */
export interface RetiredKey extends GenerationRef {
  readonly fingerprint: string;
}

/**
 * Keeps a new key, sealed, until it has been distributed. An issuer calls it before anything
 * outside keyturn learns of the key, so that a retried step finds the same key again.
 */
export interface PendingStash {
  getOrCreate(create: () => Promise<SecretValue>): Promise<SecretValue>;
}

/** What creates, activates and revokes a credential's keys. */
export interface Issuer {
  readonly kind: string;
  /** Creates the key of a new generation in the pending state (accepted, not yet current). */
  issue(ref: GenerationRef & { readonly rotationId: string }, stash: PendingStash): Promise<SecretValue>;
  /** Makes `generation` current; `previousGeneration`, when given, stays accepted as previous. */
  activate(ref: GenerationRef & { readonly previousGeneration?: number }): Promise<void>;
  /** Stops accepting a generation's key. Reversible with `reactivate` until the key is purged. */
  revoke(ref: GenerationRef): Promise<void>;
  /** Accepts a revoked generation's key again; fails with a `conflict` error when impossible. */
  reactivate(ref: GenerationRef): Promise<void>;
  /**
   * Whether the issuer accepts the key now, when it can tell (the managed issuer can; a vendor
   * API may not). Used by validation and by the no-outage checks.
   */
  accepts?(value: SecretValue): Promise<boolean>;
}

/** A check that a key works before the previous one is retired. */
export interface Validator {
  readonly kind: string;
  readonly id: string;
  /** Resolves when the key works; throws a `validation-failed` KeyturnError when it does not. */
  validate(value: SecretValue, context: RotationContext): Promise<void>;
}

/** Services an adapter factory may draw on; each adapter takes only what it needs. */
export interface AdapterDependencies {
  /** Folder relative paths in the configuration are resolved against. */
  readonly baseDir: string;
  readonly clock: Clock;
  /** The issuer a credential uses, for validators that verify through it. */
  readonly issuer?: Issuer;
  /** How Azure adapters reach Azure (credential, cloud, client options); composition supplies it. */
  readonly azure?: AzureContext;
}

/** One kind of target: its configuration schema and its factory. */
export interface TargetAdapter<S extends z.ZodType = z.ZodType> {
  readonly kind: string;
  readonly schema: S;
  create(config: z.infer<S>, deps: AdapterDependencies): Target;
}

export interface ValidatorAdapter<S extends z.ZodType = z.ZodType> {
  readonly kind: string;
  readonly schema: S;
  create(config: z.infer<S>, deps: AdapterDependencies): Validator;
}

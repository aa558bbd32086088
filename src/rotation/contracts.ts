/**
 * Inputs and outputs of the rotation orchestrators and activities. They travel through
 * orchestration history, so they hold ids, numbers, fingerprints and reasons: never key material.
 */

export type RotationTrigger = 'schedule' | 'manual' | 'event';

export interface RotationInput {
  readonly rotationId: string;
  readonly credentialId: string;
  readonly generation: number;
  readonly trigger: RotationTrigger;
  readonly reason: string;
  readonly requestedBy: string;
  readonly emergency: boolean;
}

export interface StepInput {
  readonly rotationId: string;
  readonly credentialId: string;
  readonly generation: number;
}

export interface PlanInput extends RotationInput {
  /** Identifies this execution as the lock holder (a durable, deterministic GUID). */
  readonly lockToken: string;
}

export type PlanResult =
  | {
      readonly proceed: true;
      readonly previousGeneration?: number;
      /** How long the previous key stays valid after promotion. */
      readonly graceMs: number;
      /** Present when a person must approve first: how long to wait for the decision. */
      readonly approvalTimeoutMs?: number;
    }
  | { readonly proceed: false; readonly reason: string; readonly detail: string };

export interface GenerateResult {
  readonly fingerprint: string;
}

export interface DistributeResult {
  readonly targets: readonly { readonly id: string; readonly written: boolean }[];
}

export interface PromoteResult {
  readonly previousGeneration?: number;
}

/** The decision delivered to a rotation waiting for approval (the `approval` external event). */
export interface ApprovalDecision {
  readonly approved: boolean;
  /** Who decided: `user:<principal>`, `api:<name>`, or `system:keyturn` when the wait timed out. */
  readonly by: string;
  readonly comment?: string;
}

export const APPROVAL_EVENT = 'approval';

export interface ApprovalInput extends StepInput, ApprovalDecision {}

export interface CompensateInput extends StepInput {
  readonly error: string;
}

export interface FinishInput extends StepInput {
  readonly warnings: readonly string[];
}

export type RotationOutput =
  | {
      readonly outcome: 'completed';
      readonly generation: number;
      readonly fingerprint: string;
      readonly warnings: readonly string[];
    }
  | { readonly outcome: 'failed'; readonly generation: number; readonly error: string }
  | { readonly outcome: 'skipped'; readonly reason: string; readonly detail: string };

export interface RollbackInput {
  readonly rollbackId: string;
  readonly credentialId: string;
  /** The current generation when the rollback was requested: the one to undo. */
  readonly generation: number;
  readonly reason: string;
  readonly requestedBy: string;
}

export interface RollbackPlanInput extends RollbackInput {
  readonly lockToken: string;
}

export type RollbackPlanResult =
  | { readonly proceed: true; readonly restoreGeneration: number; readonly sourceRotationId: string }
  | { readonly proceed: false; readonly reason: string; readonly detail: string };

export interface RollbackStepInput {
  readonly rollbackId: string;
  readonly credentialId: string;
  readonly generation: number;
  readonly restoreGeneration: number;
  readonly sourceRotationId: string;
}

export type RollbackOutput =
  | { readonly outcome: 'rolled-back'; readonly generation: number }
  | { readonly outcome: 'failed'; readonly error: string }
  | { readonly outcome: 'skipped'; readonly reason: string; readonly detail: string };

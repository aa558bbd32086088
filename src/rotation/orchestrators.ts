import type * as df from 'durable-functions';

import type { ApprovalResult } from './activities/approval';
import {
  APPROVAL_EVENT,
  type ApprovalDecision,
  type ApprovalInput,
  type CompensateInput,
  type DistributeResult,
  type FinishInput,
  type GenerateResult,
  type PlanInput,
  type PlanResult,
  type PromoteResult,
  type RollbackInput,
  type RollbackOutput,
  type RollbackPlanInput,
  type RollbackPlanResult,
  type RollbackStepInput,
  type RotationInput,
  type RotationOutput,
  type StepInput,
} from './contracts';
import { Activities } from './names';
import { callWithRetry, failureMessage, PERSISTENT } from './retry';

/** What the orchestration shows as custom status: where it stands, never key material. */
export interface RotationStatus {
  readonly step: string;
  readonly generation?: number;
  readonly graceEndsAt?: string;
  readonly approvalDeadline?: string;
  readonly outcome?: string;
}

/**
 * One rotation of one credential: plan → generate → distribute → validate → promote → grace →
 * revoke → finish. A failure before promotion compensates (targets restored, pending key revoked).
 * Deterministic by construction: no I/O, no clock but the orchestration's, no randomness but
 * `newGuid`; every effect happens in an activity.
 */
export function* rotateCredential(
  context: df.OrchestrationContext,
): Generator<df.Task, RotationOutput, unknown> {
  const input = context.df.getInput<RotationInput>();
  const step: StepInput = {
    rotationId: input.rotationId,
    credentialId: input.credentialId,
    generation: input.generation,
  };
  const status = (s: RotationStatus): void => {
    context.df.setCustomStatus(s);
  };

  status({ step: 'plan', generation: input.generation });
  const planInput: PlanInput = { ...input, lockToken: context.df.newGuid(input.rotationId) };
  let plan: PlanResult;
  try {
    plan = yield* callWithRetry<PlanResult>(context, Activities.Plan, planInput);
  } catch (error) {
    // Nothing was changed: plan takes the lock last, after the audit record.
    status({ step: 'failed', outcome: 'failed' });
    return { outcome: 'failed', generation: input.generation, error: failureMessage(error) };
  }
  if (!plan.proceed) {
    status({ step: 'skipped', outcome: 'skipped' });
    return { outcome: 'skipped', reason: plan.reason, detail: plan.detail };
  }

  if (plan.approvalTimeoutMs !== undefined) {
    const deadline = new Date(context.df.currentUtcDateTime.getTime() + plan.approvalTimeoutMs);
    status({
      step: 'awaiting-approval',
      generation: input.generation,
      approvalDeadline: deadline.toISOString(),
    });
    const decision = context.df.waitForExternalEvent(APPROVAL_EVENT);
    const timeout = context.df.createTimer(deadline);
    const first: unknown = yield context.df.Task.any([decision, timeout]);
    let approval: ApprovalDecision;
    if (first === decision) {
      timeout.cancel();
      approval = decision.result as ApprovalDecision;
    } else {
      approval = {
        approved: false,
        by: 'system:keyturn',
        comment: 'nobody decided before the approval deadline',
      };
    }
    const recorded = yield* callWithRetry<ApprovalResult>(context, Activities.RecordApproval, {
      ...step,
      ...approval,
    } satisfies ApprovalInput);
    if (!recorded.proceed) {
      status({ step: 'declined', outcome: 'skipped' });
      return {
        outcome: 'skipped',
        reason: 'not-approved',
        detail: approval.comment ?? `declined by ${approval.by}`,
      };
    }
  }

  let fingerprint: string;
  try {
    status({ step: 'generate', generation: input.generation });
    fingerprint = (yield* callWithRetry<GenerateResult>(context, Activities.Generate, step)).fingerprint;
    status({ step: 'distribute', generation: input.generation });
    yield* callWithRetry<DistributeResult>(context, Activities.Distribute, step);
    status({ step: 'validate', generation: input.generation });
    yield* callWithRetry<unknown>(context, Activities.Validate, step);
    status({ step: 'promote', generation: input.generation });
    yield* callWithRetry<PromoteResult>(context, Activities.Promote, step);
  } catch (error) {
    const message = failureMessage(error);
    status({ step: 'compensate', generation: input.generation });
    const compensation: CompensateInput = { ...step, error: message };
    yield* callWithRetry<unknown>(context, Activities.Compensate, compensation, PERSISTENT);
    status({ step: 'failed', generation: input.generation, outcome: 'failed' });
    return { outcome: 'failed', generation: input.generation, error: message };
  }

  const warnings: string[] = [];
  if (plan.previousGeneration !== undefined && plan.graceMs > 0) {
    const graceEndsAt = new Date(context.df.currentUtcDateTime.getTime() + plan.graceMs);
    status({ step: 'grace', generation: input.generation, graceEndsAt: graceEndsAt.toISOString() });
    yield context.df.createTimer(graceEndsAt);
  }
  if (plan.previousGeneration !== undefined) {
    status({ step: 'revoke', generation: input.generation });
    const revoked = yield* callWithRetry<{ revoked: boolean; warning?: string }>(
      context,
      Activities.RevokePrevious,
      step,
      PERSISTENT,
    );
    if (revoked.warning) warnings.push(revoked.warning);
  }
  status({ step: 'finish', generation: input.generation });
  const finish: FinishInput = { ...step, warnings };
  yield* callWithRetry<unknown>(context, Activities.Finish, finish, PERSISTENT);
  status({ step: 'completed', generation: input.generation, outcome: 'completed' });
  return { outcome: 'completed', generation: input.generation, fingerprint, warnings };
}

/** Undoes the last completed rotation of a credential (see the rollback activities). */
export function* rollbackCredential(
  context: df.OrchestrationContext,
): Generator<df.Task, RollbackOutput, unknown> {
  const input = context.df.getInput<RollbackInput>();
  const planInput: RollbackPlanInput = { ...input, lockToken: context.df.newGuid(input.rollbackId) };
  context.df.setCustomStatus({ step: 'plan' } satisfies RotationStatus);
  let plan: RollbackPlanResult;
  try {
    plan = yield* callWithRetry<RollbackPlanResult>(context, Activities.RollbackPlan, planInput);
  } catch (error) {
    context.df.setCustomStatus({ step: 'failed', outcome: 'failed' } satisfies RotationStatus);
    return { outcome: 'failed', error: failureMessage(error) };
  }
  if (!plan.proceed) {
    context.df.setCustomStatus({ step: 'skipped', outcome: 'skipped' } satisfies RotationStatus);
    return { outcome: 'skipped', reason: plan.reason, detail: plan.detail };
  }
  const step: RollbackStepInput = {
    rollbackId: input.rollbackId,
    credentialId: input.credentialId,
    generation: input.generation,
    restoreGeneration: plan.restoreGeneration,
    sourceRotationId: plan.sourceRotationId,
  };
  try {
    context.df.setCustomStatus({
      step: 'restore',
      generation: plan.restoreGeneration,
    } satisfies RotationStatus);
    yield* callWithRetry<unknown>(context, Activities.RollbackRestore, step);
    context.df.setCustomStatus({
      step: 'finish',
      generation: plan.restoreGeneration,
    } satisfies RotationStatus);
    yield* callWithRetry<unknown>(context, Activities.RollbackFinish, step, PERSISTENT);
  } catch (error) {
    const message = failureMessage(error);
    yield* callWithRetry<unknown>(context, Activities.RollbackAbort, { ...step, error: message }, PERSISTENT);
    context.df.setCustomStatus({ step: 'failed', outcome: 'failed' } satisfies RotationStatus);
    return { outcome: 'failed', error: message };
  }
  context.df.setCustomStatus({ step: 'completed', outcome: 'rolled-back' } satisfies RotationStatus);
  return { outcome: 'rolled-back', generation: plan.restoreGeneration };
}

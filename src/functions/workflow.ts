import * as df from 'durable-functions';

import { getServices } from '../app/services';
import { KeyturnError } from '../core/errors';
import { recordApproval } from '../rotation/activities/approval';
import { compensate } from '../rotation/activities/compensate';
import { distribute } from '../rotation/activities/distribute';
import { finish } from '../rotation/activities/finish';
import { generate } from '../rotation/activities/generate';
import { plan } from '../rotation/activities/plan';
import { promote } from '../rotation/activities/promote';
import { revokePrevious } from '../rotation/activities/revoke';
import {
  planRollback,
  rollbackAbort,
  rollbackFinish,
  rollbackRestore,
} from '../rotation/activities/rollback';
import { validate } from '../rotation/activities/validate';
import { Activities, Orchestrators } from '../rotation/names';
import { rollbackCredential, rotateCredential } from '../rotation/orchestrators';
import type { KeyturnServices } from '../rotation/services';
import { TelemetryEvent } from '../telemetry/events';

// Orchestrators see an activity's kind and retryability in its failure details, and decide on
// retries from them; messages already name resources, never values.
df.app.setExceptionPropertiesProvider({
  getExceptionProperties: (error: unknown) =>
    error instanceof KeyturnError ? { kind: error.kind, retryable: error.retryable } : { retryable: false },
});

df.app.orchestration(Orchestrators.Rotate, rotateCredential);
df.app.orchestration(Orchestrators.Rollback, rollbackCredential);

/** Registers a step; every run is reported as `keyturn.rotation.step` with its outcome and duration. */
function activity<I extends StepIds, O>(
  name: string,
  step: (input: I, services: KeyturnServices) => Promise<O>,
): void {
  df.app.activity(name, {
    handler: async (input: I) => {
      const services = await getServices();
      const started = services.clock.now().getTime();
      const report = (outcome: 'succeeded' | 'error'): void => {
        services.telemetry.event(TelemetryEvent.RotationStep, {
          credentialId: input.credentialId,
          rotationId: input.rotationId ?? input.rollbackId,
          step: name,
          outcome,
          durationMs: services.clock.now().getTime() - started,
        });
      };
      try {
        const result = await step(input, services);
        report('succeeded');
        return result;
      } catch (error) {
        report('error');
        throw error;
      }
    },
  });
}

interface StepIds {
  readonly credentialId: string;
  readonly rotationId?: string;
  readonly rollbackId?: string;
}

activity(Activities.Plan, plan);
activity(Activities.RecordApproval, recordApproval);
activity(Activities.Generate, generate);
activity(Activities.Distribute, distribute);
activity(Activities.Validate, validate);
activity(Activities.Promote, promote);
activity(Activities.RevokePrevious, revokePrevious);
activity(Activities.Finish, finish);
activity(Activities.Compensate, compensate);
activity(Activities.RollbackPlan, planRollback);
activity(Activities.RollbackRestore, rollbackRestore);
activity(Activities.RollbackFinish, rollbackFinish);
activity(Activities.RollbackAbort, rollbackAbort);

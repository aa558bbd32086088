import type * as df from 'durable-functions';

/** How an orchestrator retries an activity whose failure says it may succeed later. */
export interface StepRetry {
  readonly attempts: number;
  readonly firstDelayMs: number;
  readonly maxDelayMs: number;
}

export const TRANSIENT: StepRetry = { attempts: 5, firstDelayMs: 10_000, maxDelayMs: 5 * 60_000 };
/** Steps after promotion must eventually happen; they keep trying for about a day. */
export const PERSISTENT: StepRetry = { attempts: 30, firstDelayMs: 30_000, maxDelayMs: 60 * 60_000 };

/** Whether an activity failure was marked retryable (see the exception properties provider). */
export function isRetryable(error: unknown): boolean {
  const details = (error as { failureDetails?: { properties?: Record<string, unknown> } } | undefined)
    ?.failureDetails;
  return details?.properties?.['retryable'] === true;
}

export function failureMessage(error: unknown): string {
  const details = (error as { failureDetails?: { errorMessage?: string } } | undefined)?.failureDetails;
  if (details?.errorMessage) return details.errorMessage;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Calls an activity, waiting on a durable timer between attempts while its failures are
 * retryable. Deterministic: delays come from the attempt number and the orchestration clock.
 */
export function* callWithRetry<T>(
  context: df.OrchestrationContext,
  name: string,
  input: unknown,
  retry: StepRetry = TRANSIENT,
): Generator<df.Task, T, unknown> {
  for (let attempt = 1; ; attempt++) {
    try {
      return (yield context.df.callActivity(name, input)) as T;
    } catch (error) {
      if (!isRetryable(error) || attempt >= retry.attempts) throw error;
      const delay = Math.min(retry.firstDelayMs * 2 ** (attempt - 1), retry.maxDelayMs);
      yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + delay));
    }
  }
}

import type { PipelinePolicy, PipelineRetryOptions } from '@azure/core-rest-pipeline';

/**
 * Retries inside one step: bounded and jittered (the SDK's exponential strategy randomises each
 * delay). Throttling with `Retry-After` waits as the service asks, up to `MAX_IN_PROCESS_WAIT_MS`.
 * What outlasts this fails the step as retryable, and the orchestrator retries it on a durable
 * timer instead of holding an activity open.
 */
export const AZURE_RETRY: Required<
  Pick<PipelineRetryOptions, 'maxRetries' | 'retryDelayInMs' | 'maxRetryDelayInMs'>
> = {
  maxRetries: 4,
  retryDelayInMs: 800,
  maxRetryDelayInMs: 30_000,
};

export const MAX_IN_PROCESS_WAIT_MS = 30_000;

const RETRY_AFTER_HEADERS = ['retry-after-ms', 'x-ms-retry-after-ms', 'retry-after'] as const;

function retryAfterMs(value: string, header: (typeof RETRY_AFTER_HEADERS)[number]): number | undefined {
  const number = Number(value);
  if (Number.isFinite(number)) return header === 'retry-after' ? number * 1000 : number;
  const date = Date.parse(value);
  return Number.isFinite(date) ? date - Date.now() : undefined;
}

/**
 * Runs after the retry policy sees nothing yet (position `perRetry`): a 429 or 503 that asks for a
 * longer wait than `maxWaitMs` loses its retry-after headers, so the SDK does not sleep on it and
 * the failure reaches keyturn, which reports it as retryable with the wait in its details.
 */
export function cappedRetryAfterPolicy(maxWaitMs: number = MAX_IN_PROCESS_WAIT_MS): PipelinePolicy {
  return {
    name: 'keyturnCappedRetryAfter',
    async sendRequest(request, next) {
      const response = await next(request);
      if (response.status !== 429 && response.status !== 503) return response;
      for (const header of RETRY_AFTER_HEADERS) {
        const value = response.headers.get(header);
        if (value === undefined) continue;
        const wait = retryAfterMs(value, header);
        if (wait !== undefined && wait > maxWaitMs) {
          for (const name of RETRY_AFTER_HEADERS) response.headers.delete(name);
          response.headers.set('x-keyturn-retry-after-ms', String(Math.round(wait)));
        }
        break;
      }
      return response;
    },
  };
}

import { isRestError } from '@azure/core-rest-pipeline';

import { type ErrorKind, KeyturnError } from '../../core/errors';
import type { SecretValue } from '../../core/secret';

/**
 * What an Azure service said, without the request it answered: an SDK error carries the request
 * (and so the key that was being written), which must never reach a log, a failure record or an
 * orchestration history. This is the `cause` keyturn keeps instead.
 */
export class AzureServiceError extends Error {
  readonly statusCode: number | undefined;
  readonly code: string | undefined;
  readonly requestId: string | undefined;

  constructor(message: string, statusCode?: number, code?: string, requestId?: string) {
    super(message);
    this.name = 'AzureServiceError';
    this.statusCode = statusCode;
    this.code = code;
    this.requestId = requestId;
  }
}

export interface AzureFailure {
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly message: string;
  readonly requestId: string | undefined;
  readonly retryAfterMs: number | undefined;
}

/** The facts of an SDK or network failure, with any of `secrets` blanked out of the text. */
export function describeFailure(error: unknown, secrets: readonly SecretValue[] = []): AzureFailure {
  let text = error instanceof Error ? error.message : String(error);
  for (const secret of secrets) {
    const value = secret.reveal();
    if (value.length >= 4) text = text.split(value).join('[redacted]');
  }
  text = text.replace(/\s+/g, ' ').trim().slice(0, 300);
  if (isRestError(error)) {
    const headers = error.response?.headers;
    // The Retry-After cap moves a wait too long for one step into x-keyturn-retry-after-ms.
    const retryAfter =
      headers?.get('retry-after-ms') ??
      headers?.get('x-ms-retry-after-ms') ??
      headers?.get('x-keyturn-retry-after-ms');
    const retryAfterSeconds = headers?.get('retry-after');
    return {
      status: error.statusCode,
      code: error.code,
      message: text,
      requestId: headers?.get('x-ms-request-id') ?? headers?.get('x-ms-client-request-id') ?? undefined,
      retryAfterMs:
        retryAfter !== undefined && Number.isFinite(Number(retryAfter))
          ? Number(retryAfter)
          : retryAfterSeconds !== undefined && Number.isFinite(Number(retryAfterSeconds))
            ? Number(retryAfterSeconds) * 1000
            : undefined,
    };
  }
  const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
  const code = (error as { code?: unknown } | undefined)?.code;
  return {
    status: typeof status === 'number' ? status : undefined,
    code:
      typeof code === 'string'
        ? code
        : error instanceof Error && error.name !== 'Error'
          ? error.name
          : undefined,
    message: text,
    requestId: undefined,
    retryAfterMs: undefined,
  };
}

function classify(failure: AzureFailure): { kind: ErrorKind; retryable: boolean; reason: string } {
  const { status, code } = failure;
  if (status === undefined) {
    if (code === 'CredentialUnavailableError') {
      return { kind: 'forbidden', retryable: false, reason: 'no Azure credential is available to keyturn' };
    }
    if (code === 'AuthenticationError' || code === 'AggregateAuthenticationError') {
      return { kind: 'unavailable', retryable: true, reason: 'getting a token for keyturn failed' };
    }
    return { kind: 'unavailable', retryable: true, reason: 'the service could not be reached' };
  }
  if (status === 429)
    return { kind: 'throttled', retryable: true, reason: 'the service is throttling requests' };
  if (status === 408 || (status >= 500 && status !== 501 && status !== 505)) {
    return { kind: 'unavailable', retryable: true, reason: 'the service failed temporarily' };
  }
  if (status === 401 || status === 403) {
    return { kind: 'forbidden', retryable: false, reason: "keyturn's identity is not allowed to do this" };
  }
  if (status === 404) return { kind: 'not-found', retryable: false, reason: 'it does not exist' };
  if (status === 409 || status === 412) {
    return { kind: 'conflict', retryable: false, reason: 'it conflicts with its current state' };
  }
  return { kind: 'invalid-input', retryable: false, reason: 'the service rejected the request' };
}

/**
 * Turns an Azure failure into a KeyturnError that names the resource and the cause: throttling,
 * timeouts, 5xx and network failures are retryable (the SDK already retried them a few times);
 * other 4xx are not. Values in `secrets` are blanked out of the service's message.
 */
export function azureError(
  error: unknown,
  action: string,
  resource: string,
  secrets: readonly SecretValue[] = [],
): KeyturnError {
  if (error instanceof KeyturnError) return error;
  const failure = describeFailure(error, secrets);
  const { kind, retryable, reason } = classify(failure);
  const status = failure.status === undefined ? '' : `HTTP ${failure.status}`;
  const code = failure.code ?? '';
  const said = [status, code].filter(Boolean).join(' ');
  return new KeyturnError(
    kind,
    `Cannot ${action} ${resource}: ${reason}${said ? ` (${said}: ${failure.message})` : ` (${failure.message})`}.`,
    {
      retryable,
      details: {
        resource,
        ...(failure.status !== undefined && { status: failure.status }),
        ...(failure.code !== undefined && { code: failure.code }),
        ...(failure.requestId !== undefined && { requestId: failure.requestId }),
        ...(failure.retryAfterMs !== undefined && { retryAfterMs: failure.retryAfterMs }),
      },
      cause: new AzureServiceError(failure.message, failure.status, failure.code, failure.requestId),
    },
  );
}

/** HTTP status of an SDK failure, if it has one. */
export function statusOf(error: unknown): number | undefined {
  if (isRestError(error)) return error.statusCode;
  const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** Service error code of an SDK failure (`SecretNotFound`, `ObjectIsDeletedButRecoverable`, …). */
export function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

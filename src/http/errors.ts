import type { HttpResponseInit, InvocationContext } from '@azure/functions';

import { type ErrorKind, InvalidInputError, isKeyturnError } from '../core/errors';

/** The closed set of error codes the API answers with. */
export type ApiErrorCode =
  'invalid_request' | 'not_found' | 'conflict' | 'policy_blocked' | 'unavailable' | 'internal';

const STATUS: Record<ApiErrorCode, number> = {
  invalid_request: 400,
  not_found: 404,
  conflict: 409,
  policy_blocked: 409,
  unavailable: 503,
  internal: 500,
};

const BY_KIND: Record<ErrorKind, ApiErrorCode> = {
  'invalid-input': 'invalid_request',
  'not-found': 'not_found',
  conflict: 'conflict',
  policy: 'policy_blocked',
  unavailable: 'unavailable',
  throttled: 'unavailable',
  forbidden: 'internal',
  'validation-failed': 'conflict',
  integrity: 'internal',
  internal: 'internal',
};

export interface ApiErrorBody {
  readonly error: {
    readonly code: ApiErrorCode;
    readonly message: string;
    readonly requestId: string;
    readonly fields?: readonly { readonly path: string; readonly message: string }[];
  };
}

export function apiError(
  context: InvocationContext,
  code: ApiErrorCode,
  message: string,
  fields?: readonly { path: string; message: string }[],
): HttpResponseInit {
  const body: ApiErrorBody = {
    error: { code, message, requestId: context.invocationId, ...(fields && { fields }) },
  };
  return { status: STATUS[code], jsonBody: body };
}

/**
 * Turns any thrown value into an API error. Known errors keep their message (they name resources,
 * never values); anything else becomes a bare `internal` with the request id to find the log.
 */
export function toErrorResponse(context: InvocationContext, error: unknown): HttpResponseInit {
  if (error instanceof InvalidInputError) {
    return apiError(context, 'invalid_request', error.message, error.issues);
  }
  if (isKeyturnError(error)) {
    const code = BY_KIND[error.kind];
    if (code === 'internal') context.error(`keyturn error ${error.kind}: ${error.message}`);
    return apiError(context, code, code === 'internal' ? 'Internal error.' : error.message);
  }
  context.error(`unexpected error: ${error instanceof Error ? error.name : typeof error}`);
  return apiError(context, 'internal', 'Internal error.');
}

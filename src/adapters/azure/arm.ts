import {
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineRequest,
  type HttpClient,
  type HttpMethods,
  type Pipeline,
  RestError,
} from '@azure/core-rest-pipeline';

import type { AzureContext } from './context';

let httpClient: HttpClient | undefined;

export interface ArmCall {
  readonly method: HttpMethods;
  /** ARM path from `/subscriptions/…`, without query. */
  readonly path: string;
  readonly apiVersion: string;
  readonly body?: unknown;
}

export interface ArmResponse {
  readonly status: number;
  readonly body: unknown;
}

/**
 * Sends an ARM request the SDK has no method for (or shapes wrongly) through a management client's
 * own pipeline, so authentication, TLS, retries and the Retry-After cap stay the client's. A non-2xx
 * answer throws a RestError, as the SDK's own methods do.
 */
export async function armRequest(
  pipeline: Pipeline,
  context: AzureContext,
  call: ArmCall,
): Promise<ArmResponse> {
  const request = createPipelineRequest({
    url: `${context.cloud.resourceManagerEndpoint}${call.path}?api-version=${call.apiVersion}`,
    method: call.method,
    headers: createHttpHeaders({
      accept: 'application/json',
      ...(call.body !== undefined && { 'content-type': 'application/json' }),
    }),
    ...(call.body !== undefined && { body: JSON.stringify(call.body) }),
  });
  httpClient ??= createDefaultHttpClient();
  const response = await pipeline.sendRequest(httpClient, request);
  const text = response.bodyAsText ?? '';
  let body: unknown;
  try {
    body = text === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    body = undefined;
  }
  if (response.status >= 200 && response.status < 300) return { status: response.status, body };
  const error = armErrorBody(body);
  throw new RestError(error.message ?? `ARM answered ${response.status}`, {
    statusCode: response.status,
    ...(error.code !== undefined && { code: error.code }),
    request,
    response,
  });
}

function armErrorBody(body: unknown): { code?: string; message?: string } {
  if (typeof body !== 'object' || body === null) return {};
  const record = body as Record<string, unknown>;
  const inner = (record['error'] ?? record) as Record<string, unknown>;
  const code = inner['code'] ?? inner['Code'];
  const message = inner['message'] ?? inner['Message'];
  return {
    ...(typeof code === 'string' && { code }),
    ...(typeof message === 'string' && { message }),
  };
}

import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';

import { getServices } from '../app/services';
import { KeyturnError } from '../core/errors';
import { apiError, toErrorResponse } from '../http/errors';
import { readIdParam, readJsonBody, readQuery, requesterOf } from '../http/request';
import {
  CREDENTIAL_ID,
  listCredentialsQuerySchema,
  rollbackBodySchema,
  rotateBodySchema,
} from '../http/schemas';
import { liveLockHolder } from '../rotation/lock';
import { rollbackIdFor } from '../rotation/names';
import { requestRotation as startRequestedRotation } from '../rotation/request';
import { durableStarter } from '../rotation/starter';
import { credentialView, generationView, rotationView } from '../rotation/views';

async function listCredentials(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  try {
    const query = readQuery(request, listCredentialsQuerySchema);
    const services = await getServices();
    const states = new Map((await services.credentials.listStates()).map((s) => [s.credentialId, s]));
    const credentials = services.config.config.credentials
      .filter((c) => query.environment === undefined || c.environment === query.environment)
      .map((c) => credentialView(services, c, states.get(c.id)))
      .filter((v) => query.state === undefined || v.compliance.state === query.state);
    return { jsonBody: { credentials, count: credentials.length } };
  } catch (error) {
    return toErrorResponse(context, error);
  }
}

async function getCredential(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  try {
    const credentialId = readIdParam(request, 'credentialId', CREDENTIAL_ID);
    const services = await getServices();
    const credential = services.config.credential(credentialId);
    if (!credential) return apiError(context, 'not_found', `No credential ${credentialId} is configured.`);
    const [{ state }, generations, rotations] = await Promise.all([
      services.credentials.getState(credentialId),
      services.credentials.getGenerations(credentialId),
      services.credentials.listRotations(credentialId),
    ]);
    return {
      jsonBody: {
        ...credentialView(services, credential, state),
        generations: generations.map(generationView),
        rotations: rotations
          .sort((a, b) => b.startedAt.localeCompare(a.startedAt))
          .slice(0, 20)
          .map((r) => rotationView(r)),
      },
    };
  } catch (error) {
    return toErrorResponse(context, error);
  }
}

async function requestRotation(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  try {
    const credentialId = readIdParam(request, 'credentialId', CREDENTIAL_ID);
    const body = await readJsonBody(request, rotateBodySchema);
    const services = await getServices();
    const credential = services.config.credential(credentialId);
    if (!credential) return apiError(context, 'not_found', `No credential ${credentialId} is configured.`);
    const result = await startRequestedRotation(services, durableStarter(df.getClient(context)), credential, {
      trigger: 'manual',
      reason: body.reason,
      requestedBy: requesterOf(request, body.requestedBy),
      emergency: body.emergency,
    });
    switch (result.outcome) {
      case 'in-flight':
        return inFlight(request, context, result.rotationId);
      case 'policy-blocked':
        return apiError(
          context,
          'policy_blocked',
          `Rotation of ${credentialId} is not allowed now: ${result.detail}.`,
        );
      case 'accepted':
        return accepted(request, {
          rotationId: result.rotationId,
          credentialId,
          generation: result.generation,
        });
    }
  } catch (error) {
    return toErrorResponse(context, error);
  }
}

async function requestRollback(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  try {
    const credentialId = readIdParam(request, 'credentialId', CREDENTIAL_ID);
    const body = await readJsonBody(request, rollbackBodySchema);
    const services = await getServices();
    const credential = services.config.credential(credentialId);
    if (!credential) return apiError(context, 'not_found', `No credential ${credentialId} is configured.`);
    const { state } = await services.credentials.getState(credentialId);
    const holder = liveLockHolder(state, services.config.policyOf(credential), services.clock.now());
    if (holder !== undefined) return inFlight(request, context, holder);
    if (state?.currentGeneration === undefined || state.lastCompletedRotationId === undefined) {
      throw new KeyturnError('conflict', `${credentialId} has no completed rotation to roll back.`, {
        retryable: false,
      });
    }
    const rollbackId = rollbackIdFor(credentialId, state.currentGeneration);
    const outcome = await durableStarter(df.getClient(context)).startRollback({
      rollbackId,
      credentialId,
      generation: state.currentGeneration,
      reason: body.reason,
      requestedBy: requesterOf(request, body.requestedBy),
    });
    if (outcome === 'already-running') return inFlight(request, context, rollbackId);
    return accepted(request, { rotationId: rollbackId, credentialId, generation: state.currentGeneration });
  } catch (error) {
    return toErrorResponse(context, error);
  }
}

function statusUrl(request: HttpRequest, rotationId: string): string {
  return new URL(`/api/rotations/${encodeURIComponent(rotationId)}`, request.url).toString();
}

function accepted(
  request: HttpRequest,
  body: { rotationId: string; credentialId: string; generation: number },
): HttpResponseInit {
  const url = statusUrl(request, body.rotationId);
  return {
    status: 202,
    headers: { location: url, 'retry-after': '5' },
    jsonBody: { ...body, status: 'accepted', statusUrl: url },
  };
}

function inFlight(request: HttpRequest, context: InvocationContext, rotationId: string): HttpResponseInit {
  const response = apiError(
    context,
    'conflict',
    `Rotation ${rotationId} is already in flight for this credential.`,
  );
  const url = statusUrl(request, rotationId);
  return {
    ...response,
    headers: { location: url },
    jsonBody: { ...(response.jsonBody as object), rotationId, statusUrl: url },
  };
}

app.http('listCredentials', {
  route: 'credentials',
  methods: ['GET'],
  authLevel: 'function',
  handler: listCredentials,
});
app.http('getCredential', {
  route: 'credentials/{credentialId}',
  methods: ['GET'],
  authLevel: 'function',
  handler: getCredential,
});
app.http('requestRotation', {
  route: 'credentials/{credentialId}/rotate',
  methods: ['POST'],
  authLevel: 'function',
  extraInputs: [df.input.durableClient()],
  handler: requestRotation,
});
app.http('requestRollback', {
  route: 'credentials/{credentialId}/rollback',
  methods: ['POST'],
  authLevel: 'function',
  extraInputs: [df.input.durableClient()],
  handler: requestRollback,
});

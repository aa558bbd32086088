import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';

import { getServices } from '../app/services';
import { apiError, toErrorResponse } from '../http/errors';
import { readIdParam, readJsonBody, requesterOf } from '../http/request';
import { approvalBodySchema, ROTATION_ID } from '../http/schemas';
import { APPROVAL_EVENT, type ApprovalDecision } from '../rotation/contracts';
import { credentialIdOf } from '../rotation/names';
import { runtimeStatusOf } from '../rotation/starter';
import { rotationView } from '../rotation/views';

/** A rotation's progress: the workflow's own record joined with the orchestration's status. */
async function getRotation(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  try {
    const rotationId = readIdParam(request, 'rotationId', ROTATION_ID);
    const credentialId = credentialIdOf(rotationId) ?? '';
    const services = await getServices();
    const [record, runtime] = await Promise.all([
      services.credentials.getRotation(credentialId, rotationId),
      runtimeStatusOf(df.getClient(context), rotationId),
    ]);
    if (record) return { jsonBody: rotationView(record, runtime) };
    if (runtime !== undefined) {
      // Started, but its plan step has not written a record yet.
      return {
        status: 200,
        jsonBody: { rotationId, credentialId, status: 'pending', runtimeStatus: runtime },
      };
    }
    return apiError(context, 'not_found', `No rotation ${rotationId}.`);
  } catch (error) {
    return toErrorResponse(context, error);
  }
}

/**
 * The decision on a rotation its policy holds for approval. Four eyes: whoever asked for the
 * rotation cannot approve it.
 */
async function decideRotation(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  try {
    const rotationId = readIdParam(request, 'rotationId', ROTATION_ID);
    const body = await readJsonBody(request, approvalBodySchema);
    const credentialId = credentialIdOf(rotationId) ?? '';
    const services = await getServices();
    const record = await services.credentials.getRotation(credentialId, rotationId);
    if (!record) return apiError(context, 'not_found', `No rotation ${rotationId}.`);
    if (record.status !== 'running' || record.step !== 'awaiting-approval') {
      return apiError(
        context,
        'conflict',
        `Rotation ${rotationId} is not waiting for approval (step ${record.step}).`,
      );
    }
    const by = requesterOf(request, body.approvedBy);
    if (by === record.requestedBy) {
      return apiError(
        context,
        'conflict',
        'The requester of a rotation cannot approve it; another person must.',
      );
    }
    const decision: ApprovalDecision = {
      approved: body.approve,
      by,
      ...(body.comment !== undefined && { comment: body.comment }),
    };
    await df.getClient(context).raiseEvent(rotationId, APPROVAL_EVENT, decision);
    return {
      status: 202,
      headers: {
        location: new URL(`/api/rotations/${encodeURIComponent(rotationId)}`, request.url).toString(),
      },
      jsonBody: { rotationId, decision: body.approve ? 'approved' : 'rejected', by },
    };
  } catch (error) {
    return toErrorResponse(context, error);
  }
}

app.http('decideRotation', {
  route: 'rotations/{rotationId}/approval',
  methods: ['POST'],
  authLevel: 'function',
  extraInputs: [df.input.durableClient()],
  handler: decideRotation,
});
app.http('getRotation', {
  route: 'rotations/{rotationId}',
  methods: ['GET'],
  authLevel: 'function',
  extraInputs: [df.input.durableClient()],
  handler: getRotation,
});

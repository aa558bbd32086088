import { app, type HttpResponseInit, type InvocationContext } from '@azure/functions';

import { getServices } from '../app/services';
import { toErrorResponse } from '../http/errors';
import { TelemetryEvent } from '../telemetry/events';

/** Verifies the whole audit chain and reports the first broken record, if any. */
async function verifyAudit(_request: unknown, context: InvocationContext): Promise<HttpResponseInit> {
  try {
    const services = await getServices();
    const report = await services.verifyAudit();
    services.telemetry.event(TelemetryEvent.AuditVerified, {
      ok: report.ok,
      checked: report.checked,
      ...(report.firstBadSeq !== undefined && { firstBadSeq: report.firstBadSeq }),
    });
    return { status: report.ok ? 200 : 409, jsonBody: report };
  } catch (error) {
    return toErrorResponse(context, error);
  }
}

app.http('verifyAudit', {
  route: 'audit/verify',
  methods: ['GET'],
  authLevel: 'function',
  handler: verifyAudit,
});

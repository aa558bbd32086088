import { app, type InvocationContext, type Timer } from '@azure/functions';
import * as df from 'durable-functions';

import { getServices } from '../app/services';
import { runPolicyScan } from '../rotation/scan';
import { durableStarter } from '../rotation/starter';
import { TelemetryEvent } from '../telemetry/events';

/** The policy scan on its NCRONTAB schedule (app setting KEYTURN_SCAN_SCHEDULE, UTC). */
async function policyScan(timer: Timer, context: InvocationContext): Promise<void> {
  const services = await getServices();
  const summary = await runPolicyScan(services, durableStarter(df.getClient(context)));
  services.telemetry.event(TelemetryEvent.ScanCompleted, {
    evaluated: summary.evaluated,
    started: summary.started.length,
    inFlight: summary.inFlight,
    pastDue: timer.isPastDue,
  });
  services.log.info('policy scan', {
    evaluated: summary.evaluated,
    started: summary.started.join(',') || 'none',
    inFlight: summary.inFlight,
  });
}

app.timer('policyScan', {
  schedule: '%KEYTURN_SCAN_SCHEDULE%',
  extraInputs: [df.input.durableClient()],
  handler: policyScan,
});

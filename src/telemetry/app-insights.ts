import { TelemetryClient } from 'applicationinsights';

import type { TelemetryEventName } from './events';
import type { Dimensions, Telemetry } from './telemetry';

/**
 * Custom events to Application Insights (`customEvents`), the table the workbook and alerts query.
 * Uses the connection string (and, with local auth disabled, the Entra ID authentication string)
 * from the app settings the Functions host also reads.
 */
export function appInsightsTelemetry(connectionString: string): Telemetry {
  const client = new TelemetryClient(connectionString);
  return {
    event(name: TelemetryEventName, dimensions: Dimensions) {
      const properties: Record<string, string> = {};
      for (const [key, value] of Object.entries(dimensions))
        if (value !== undefined) properties[key] = String(value);
      client.trackEvent({ name, properties });
    },
    flush: () => client.flush(),
  };
}

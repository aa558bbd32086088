import type { TokenCredential } from '@azure/core-auth';
import { TelemetryClient } from 'applicationinsights';

import type { TelemetryEventName } from './events';
import type { Dimensions, Telemetry } from './telemetry';

/**
 * Custom events to Application Insights (`customEvents`), the table the workbook and alerts query.
 * With local authentication disabled on the component (as the Bicep deploys it), ingestion needs an
 * Entra ID credential: the managed identity named by APPLICATIONINSIGHTS_AUTHENTICATION_STRING.
 * The client uses its own providers, so the app's other telemetry stays with the Functions host.
 */
export function appInsightsTelemetry(connectionString: string, credential?: TokenCredential): Telemetry {
  const client = new TelemetryClient(connectionString, { useGlobalProviders: false });
  if (credential) client.config.aadTokenCredential = credential;
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

/**
 * Reads `Authorization=AAD;ClientId=<id>` (the App Service convention). Returns the client id to
 * authenticate with ('' for a system-assigned identity), or undefined when Entra ID is not asked for.
 */
export function aadClientIdFrom(authenticationString: string | undefined): string | undefined {
  if (!authenticationString) return undefined;
  const parts = new Map(
    authenticationString
      .split(';')
      .map((pair) => pair.split('=', 2))
      .filter((kv): kv is [string, string] => kv.length === 2)
      .map(([k, v]) => [k.trim().toLowerCase(), v.trim()]),
  );
  return parts.get('authorization')?.toUpperCase() === 'AAD' ? (parts.get('clientid') ?? '') : undefined;
}

import { KeyturnError } from '../../core/errors';
import type { AzureContext } from './context';

/**
 * The Azure context an Azure adapter needs. Composition always supplies one; its absence means an
 * embedding (a test, a tool) built adapters without saying how to reach Azure.
 */
export function requireAzure(
  deps: { readonly azure?: AzureContext },
  kind: string,
  resource: string,
): AzureContext {
  if (!deps.azure) {
    throw new KeyturnError(
      'internal',
      `The ${kind} adapter for ${resource} needs an Azure context, and none was composed.`,
      {
        retryable: false,
        details: { kind, resource },
      },
    );
  }
  return deps.azure;
}

/** Rejects a data-plane URL of another cloud than the one keyturn is configured for. */
export function requireSameCloud(
  azure: AzureContext,
  url: string,
  suffixes: readonly string[],
  field: string,
): void {
  const host = new URL(url).hostname.toLowerCase();
  if (suffixes.some((suffix) => host.endsWith(`.${suffix}`))) return;
  throw new KeyturnError(
    'invalid-input',
    `${field} ${url} is not in ${azure.cloud.name} (expected *.${suffixes.join(' or *.')}); set KEYTURN_AZURE_CLOUD to the cloud it belongs to.`,
    { retryable: false, details: { field, url, cloud: azure.cloud.name } },
  );
}

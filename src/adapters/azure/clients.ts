import { AppConfigurationClient } from '@azure/app-configuration';
import { ApiManagementClient } from '@azure/arm-apimanagement';
import { WebSiteManagementClient } from '@azure/arm-appservice';
import { CognitiveServicesManagementClient } from '@azure/arm-cognitiveservices';
import { StorageManagementClient } from '@azure/arm-storage';
import { SecretClient } from '@azure/keyvault-secrets';

import type { AzureCommonClientOptions, AzureContext } from './context';
import { AZURE_RETRY, cappedRetryAfterPolicy } from './pipeline';

const caches = new WeakMap<AzureContext, Map<string, unknown>>();

/** One client per context and address: clients keep connections and token caches warm. */
function cached<T>(context: AzureContext, key: string, create: () => T): T {
  let cache = caches.get(context);
  if (!cache) {
    cache = new Map();
    caches.set(context, cache);
  }
  let client = cache.get(key) as T | undefined;
  if (client === undefined) {
    client = create();
    cache.set(key, client);
  }
  return client;
}

/** Explicit retry settings and the Retry-After cap, then whatever the context adds. */
function commonOptions(context: AzureContext) {
  const common: AzureCommonClientOptions = context.clientOptions?.common ?? {};
  return {
    ...common,
    retryOptions: { ...AZURE_RETRY, ...common.retryOptions },
    additionalPolicies: [
      { policy: cappedRetryAfterPolicy(), position: 'perRetry' as const },
      ...(common.additionalPolicies ?? []),
    ],
  };
}

export function secretClient(context: AzureContext, vaultUrl: string): SecretClient {
  return cached(
    context,
    `kv ${vaultUrl}`,
    () =>
      new SecretClient(vaultUrl, context.credential, {
        ...commonOptions(context),
        ...context.clientOptions?.keyVault,
      }),
  );
}

export function appConfigurationClient(context: AzureContext, endpoint: string): AppConfigurationClient {
  return cached(
    context,
    `appconfig ${endpoint}`,
    () =>
      new AppConfigurationClient(endpoint, context.credential, {
        ...commonOptions(context),
        audience: context.cloud.appConfigurationAudience,
        ...context.clientOptions?.appConfiguration,
      }),
  );
}

/**
 * Options every management client understands: the TypeSpec-generated ones (App Service, Storage)
 * read `endpoint` and `credentials.scopes`; the older ones (Cognitive Services, API Management)
 * build URLs from `$host` and take `credentialScopes`.
 */
function armOptions(context: AzureContext) {
  const endpoint = context.cloud.resourceManagerEndpoint;
  const scopes = [`${context.cloud.resourceManagerAudience}/.default`];
  return {
    ...commonOptions(context),
    endpoint,
    $host: endpoint,
    credentialScopes: scopes,
    credentials: { scopes },
  };
}

export function webClient(context: AzureContext, subscriptionId: string): WebSiteManagementClient {
  return cached(
    context,
    `web ${subscriptionId}`,
    () => new WebSiteManagementClient(context.credential, subscriptionId, armOptions(context)),
  );
}

export function storageClient(context: AzureContext, subscriptionId: string): StorageManagementClient {
  return cached(
    context,
    `storage ${subscriptionId}`,
    () => new StorageManagementClient(context.credential, subscriptionId, armOptions(context)),
  );
}

export function cognitiveClient(
  context: AzureContext,
  subscriptionId: string,
): CognitiveServicesManagementClient {
  return cached(
    context,
    `cognitive ${subscriptionId}`,
    () => new CognitiveServicesManagementClient(context.credential, subscriptionId, armOptions(context)),
  );
}

export function apimClient(context: AzureContext, subscriptionId: string): ApiManagementClient {
  return cached(
    context,
    `apim ${subscriptionId}`,
    () => new ApiManagementClient(context.credential, subscriptionId, armOptions(context)),
  );
}

import type { AppConfigurationClientOptions } from '@azure/app-configuration';
import type { TokenCredential } from '@azure/core-auth';
import type { PipelineOptions, PipelinePolicy } from '@azure/core-rest-pipeline';
import { DefaultAzureCredential, ManagedIdentityCredential } from '@azure/identity';
import type { SecretClientOptions } from '@azure/keyvault-secrets';

import { type AzureCloud, type AzureCloudName, azureClouds } from './cloud';

/** Options every Azure client takes: TLS trust, proxy, retry delays, extra pipeline policies. */
export interface AzureCommonClientOptions extends PipelineOptions {
  readonly additionalPolicies?: readonly {
    readonly policy: PipelinePolicy;
    readonly position: 'perCall' | 'perRetry';
  }[];
}

export interface AzureClientOptions {
  /** Applied to every client; the per-service options below add to them. */
  readonly common?: AzureCommonClientOptions;
  readonly keyVault?: Pick<SecretClientOptions, 'disableChallengeResourceVerification' | 'serviceVersion'>;
  readonly appConfiguration?: Pick<AppConfigurationClientOptions, 'apiVersion'>;
}

/**
 * How keyturn reaches Azure: one token credential for every call (managed identity in Azure,
 * developer credentials locally), the cloud's endpoints, and client options (tests point them at
 * the wire emulators; operators may add a proxy).
 */
export interface AzureContext {
  readonly credential: TokenCredential;
  readonly cloud: AzureCloud;
  readonly clientOptions?: AzureClientOptions;
}

export interface AzureSettings {
  readonly cloud: AzureCloudName;
  readonly authorityHost?: string | undefined;
  readonly resourceManagerEndpoint?: string | undefined;
}

/** The cloud with any endpoint overrides applied. */
export function resolveCloud(settings: AzureSettings): AzureCloud {
  const base = azureClouds[settings.cloud];
  const trim = (url: string): string => url.replace(/\/+$/, '');
  return {
    ...base,
    ...(settings.authorityHost && { authorityHost: trim(settings.authorityHost) }),
    ...(settings.resourceManagerEndpoint && {
      resourceManagerEndpoint: trim(settings.resourceManagerEndpoint),
    }),
  };
}

/**
 * In Azure (the Functions host sets IDENTITY_ENDPOINT) keyturn runs as the user-assigned identity
 * whose client id is AZURE_CLIENT_ID; elsewhere DefaultAzureCredential finds the developer's
 * credentials (Azure CLI, azd, environment variables, VS Code).
 */
export function azureCredential(env: NodeJS.ProcessEnv, cloud: AzureCloud): TokenCredential {
  const clientId = env['AZURE_CLIENT_ID'];
  if (env['IDENTITY_ENDPOINT'] && clientId) return new ManagedIdentityCredential({ clientId });
  return new DefaultAzureCredential({
    authorityHost: cloud.authorityHost,
    ...(clientId && { managedIdentityClientId: clientId }),
  });
}

/** The Azure context of a deployment, from its app settings (see src/config/settings.ts). */
export function azureContextFromSettings(
  settings: {
    readonly KEYTURN_AZURE_CLOUD: AzureCloudName;
    readonly KEYTURN_AZURE_AUTHORITY_HOST?: string | undefined;
    readonly KEYTURN_AZURE_RESOURCE_MANAGER_ENDPOINT?: string | undefined;
  },
  env: NodeJS.ProcessEnv,
): AzureContext {
  const cloud = resolveCloud({
    cloud: settings.KEYTURN_AZURE_CLOUD,
    authorityHost: settings.KEYTURN_AZURE_AUTHORITY_HOST,
    resourceManagerEndpoint: settings.KEYTURN_AZURE_RESOURCE_MANAGER_ENDPOINT,
  });
  return { credential: azureCredential(env, cloud), cloud };
}

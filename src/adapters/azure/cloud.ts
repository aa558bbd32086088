/**
 * The Azure clouds keyturn knows: where to get tokens, where Resource Manager is, and the DNS
 * suffixes of the data-plane services its targets talk to. Sovereign clouds differ in all of them.
 */
export const azureCloudNames = ['AzurePublicCloud', 'AzureUSGovernment', 'AzureChinaCloud'] as const;
export type AzureCloudName = (typeof azureCloudNames)[number];

export interface AzureCloud {
  readonly name: AzureCloudName;
  /** Microsoft Entra ID authority that issues tokens. */
  readonly authorityHost: string;
  /** Azure Resource Manager, without a trailing slash. */
  readonly resourceManagerEndpoint: string;
  /** Audience of Resource Manager tokens (`<audience>/.default`). */
  readonly resourceManagerAudience: string;
  /** Vaults are `https://<vault>.<suffix>`. */
  readonly keyVaultDnsSuffix: string;
  /** Stores are `https://<store>.<suffix>`. */
  readonly appConfigurationDnsSuffixes: readonly string[];
  /** Audience of App Configuration tokens. */
  readonly appConfigurationAudience: string;
}

export const azureClouds: Readonly<Record<AzureCloudName, AzureCloud>> = {
  AzurePublicCloud: {
    name: 'AzurePublicCloud',
    authorityHost: 'https://login.microsoftonline.com',
    resourceManagerEndpoint: 'https://management.azure.com',
    resourceManagerAudience: 'https://management.azure.com',
    keyVaultDnsSuffix: 'vault.azure.net',
    appConfigurationDnsSuffixes: ['azconfig.io'],
    appConfigurationAudience: 'https://appconfig.azure.com',
  },
  AzureUSGovernment: {
    name: 'AzureUSGovernment',
    authorityHost: 'https://login.microsoftonline.us',
    resourceManagerEndpoint: 'https://management.usgovcloudapi.net',
    resourceManagerAudience: 'https://management.usgovcloudapi.net',
    keyVaultDnsSuffix: 'vault.usgovcloudapi.net',
    appConfigurationDnsSuffixes: ['azconfig.azure.us', 'appconfig.azure.us'],
    appConfigurationAudience: 'https://appconfig.azure.us',
  },
  AzureChinaCloud: {
    name: 'AzureChinaCloud',
    authorityHost: 'https://login.chinacloudapi.cn',
    resourceManagerEndpoint: 'https://management.chinacloudapi.cn',
    resourceManagerAudience: 'https://management.chinacloudapi.cn',
    keyVaultDnsSuffix: 'vault.azure.cn',
    appConfigurationDnsSuffixes: ['azconfig.azure.cn', 'appconfig.azure.cn'],
    appConfigurationAudience: 'https://appconfig.azure.cn',
  },
};

/** Every vault DNS suffix of every cloud: configuration is validated before the cloud is known. */
export const keyVaultDnsSuffixes: readonly string[] = Object.values(azureClouds).map(
  (c) => c.keyVaultDnsSuffix,
);

export const appConfigurationDnsSuffixes: readonly string[] = Object.values(azureClouds).flatMap(
  (c) => c.appConfigurationDnsSuffixes,
);

/** The cloud a host name belongs to, by its service suffix, or undefined. */
export function cloudOfHost(
  host: string,
  suffixes: (cloud: AzureCloud) => readonly string[],
): AzureCloud | undefined {
  const lower = host.toLowerCase();
  return Object.values(azureClouds).find((cloud) => suffixes(cloud).some((s) => lower.endsWith(`.${s}`)));
}

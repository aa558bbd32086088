import { describe, expect, it } from 'vitest';

import { loadConfig } from '../../../src/config/load';
import { settingsSchema } from '../../../src/config/settings';
import { InvalidInputError } from '../../../src/core/errors';
import { EMULATOR_SUBSCRIPTION_ID } from '../../emulators/arm';

const SUB = EMULATOR_SUBSCRIPTION_ID;
const SITE_ID = `/subscriptions/${SUB}/resourceGroups/rg-app/providers/Microsoft.Web/sites/orders-web`;
const STORAGE_ID = `/subscriptions/${SUB}/resourceGroups/rg-app/providers/Microsoft.Storage/storageAccounts/ordersstore`;

function document(
  target: Record<string, unknown>,
  issuer: Record<string, unknown> = { kind: 'managed', prefix: 'kord' },
) {
  return {
    version: 1,
    policies: { standard: { maxAge: 'P90D' } },
    issuers: { orders: issuer },
    credentials: [
      {
        id: 'orders-api-key',
        owner: 'orders@example.com',
        application: 'orders',
        environment: 'prod',
        issuer: 'orders',
        policy: 'standard',
        targets: [target],
      },
    ],
  };
}

function issuesOf(doc: unknown): string[] {
  try {
    loadConfig(doc, '/tmp', 'test');
  } catch (error) {
    if (error instanceof InvalidInputError) return error.issues.map((i) => `${i.path}: ${i.message}`);
    throw error;
  }
  return [];
}

const kv = (vaultUrl: string, name = 'orders-api-key') => ({ kind: 'key-vault-secret', vaultUrl, name });

describe('Azure adapter configuration: accepted', () => {
  it.each([
    ['a public-cloud vault', kv('https://orders-kv.vault.azure.net')],
    ['a vault URL with a trailing slash, any case', kv('https://Orders-KV.vault.azure.net/')],
    ['a US Government vault', kv('https://orders-kv.vault.usgovcloudapi.net')],
    ['a China vault', kv('https://orders-kv.vault.azure.cn')],
    [
      'an App Configuration key-value with a label',
      {
        kind: 'app-configuration',
        endpoint: 'https://orders-config.azconfig.io',
        key: 'Orders:ApiKey',
        label: 'prod',
      },
    ],
    [
      'an App Configuration Key Vault reference',
      {
        kind: 'app-configuration',
        endpoint: 'https://orders-config.azconfig.azure.us',
        key: 'Orders:ApiKey',
        valueType: 'key-vault-reference',
        secret: { vaultUrl: 'https://orders-kv.vault.usgovcloudapi.net', name: 'orders-api-key' },
      },
    ],
    ['a web app setting', { kind: 'app-service-settings', resourceId: SITE_ID, setting: 'ORDERS_API_KEY' }],
    [
      'a slot setting',
      { kind: 'app-service-settings', resourceId: `${SITE_ID}/slots/staging`, setting: 'Orders.ApiKey' },
    ],
    [
      'a static web app setting',
      {
        kind: 'app-service-settings',
        resourceId: `/subscriptions/${SUB}/resourceGroups/rg-app/providers/microsoft.web/staticsites/orders-portal`,
        setting: 'ORDERS_API_KEY',
      },
    ],
  ])('%s', (_name, target) => {
    expect(issuesOf(document(target))).toEqual([]);
  });

  it('normalises vault URLs so that the same vault is always written the same way', () => {
    const { config } = loadConfig(document(kv('https://Orders-KV.vault.azure.net/')), '/tmp', 'test');
    expect(config.credentials[0]?.targets[0]).toMatchObject({
      vaultUrl: 'https://orders-kv.vault.azure.net',
    });
  });

  it.each([
    ['a storage account', { kind: 'azure-dual-key', resourceId: STORAGE_ID }],
    [
      'an Azure OpenAI account',
      {
        kind: 'azure-dual-key',
        resourceId: `/subscriptions/${SUB}/resourceGroups/rg-app/providers/Microsoft.CognitiveServices/accounts/orders-openai`,
      },
    ],
    [
      'an API Management subscription',
      {
        kind: 'azure-dual-key',
        resourceId: `/subscriptions/${SUB}/resourceGroups/rg-app/providers/Microsoft.ApiManagement/service/orders-apim/subscriptions/partner`,
      },
    ],
    ['Function App host keys', { kind: 'function-app-key', resourceId: SITE_ID, keyName: 'partner' }],
    [
      'one function’s keys',
      {
        kind: 'function-app-key',
        resourceId: SITE_ID,
        keyName: 'partner',
        scope: 'function',
        functionName: 'ingest',
      },
    ],
  ])('an issuer for %s', (_name, issuer) => {
    expect(issuesOf(document(kv('https://orders-kv.vault.azure.net'), issuer))).toEqual([]);
  });
});

describe('Azure adapter configuration: rejected with the field named', () => {
  it.each([
    [
      'plain http',
      kv('http://orders-kv.vault.azure.net'),
      'credentials[0].targets[0].vaultUrl: must be a Key Vault URL',
    ],
    [
      'another host',
      kv('https://orders-kv.example.com'),
      'credentials[0].targets[0].vaultUrl: must be a Key Vault URL',
    ],
    [
      'a path',
      kv('https://orders-kv.vault.azure.net/secrets/x'),
      'credentials[0].targets[0].vaultUrl: must be a Key Vault URL',
    ],
    [
      'a vault name too short',
      kv('https://kv.vault.azure.net'),
      'credentials[0].targets[0].vaultUrl: must be a Key Vault URL',
    ],
    [
      'a vault name with two dashes',
      kv('https://orders--kv.vault.azure.net'),
      'credentials[0].targets[0].vaultUrl',
    ],
    [
      'a secret name with an underscore',
      kv('https://orders-kv.vault.azure.net', 'orders_api_key'),
      'credentials[0].targets[0].name: must be 1-127 letters, digits or dashes',
    ],
    [
      'a secret name of 128 characters',
      kv('https://orders-kv.vault.azure.net', 'a'.repeat(128)),
      'credentials[0].targets[0].name',
    ],
    [
      'an App Configuration endpoint elsewhere',
      { kind: 'app-configuration', endpoint: 'https://orders.azurewebsites.net', key: 'k' },
      'credentials[0].targets[0].endpoint: must be an App Configuration endpoint',
    ],
    [
      'a label with a wildcard',
      { kind: 'app-configuration', endpoint: 'https://orders-config.azconfig.io', key: 'k', label: 'prod*' },
      'credentials[0].targets[0].label: must not contain %, *',
    ],
    [
      'a reference without its secret',
      {
        kind: 'app-configuration',
        endpoint: 'https://orders-config.azconfig.io',
        key: 'k',
        valueType: 'key-vault-reference',
      },
      'credentials[0].targets[0].secret: is required with valueType key-vault-reference',
    ],
    [
      'a reference to a malformed vault',
      {
        kind: 'app-configuration',
        endpoint: 'https://orders-config.azconfig.io',
        key: 'k',
        valueType: 'key-vault-reference',
        secret: { vaultUrl: 'https://orders-kv.vault.azure.net.evil.com', name: 'x' },
      },
      'credentials[0].targets[0].secret.vaultUrl: must be a Key Vault URL',
    ],
    [
      'a resource id that is no ARM id',
      { kind: 'app-service-settings', resourceId: 'orders-web', setting: 'ORDERS_API_KEY' },
      'credentials[0].targets[0].resourceId: must be an ARM resource id such as /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Web/sites/<name>',
    ],
    [
      'a subscription that is no GUID',
      { kind: 'app-service-settings', resourceId: SITE_ID.replace(SUB, 'my-sub'), setting: 'ORDERS_API_KEY' },
      'credentials[0].targets[0].resourceId: must be an ARM resource id such as',
    ],
    [
      'a resource of another type',
      { kind: 'app-service-settings', resourceId: STORAGE_ID, setting: 'ORDERS_API_KEY' },
      'credentials[0].targets[0].resourceId: must be an ARM resource id',
    ],
    [
      'a site name with an underscore',
      {
        kind: 'app-service-settings',
        resourceId: SITE_ID.replace('orders-web', 'orders_web'),
        setting: 'ORDERS_API_KEY',
      },
      'credentials[0].targets[0].resourceId: names a Web App or Function App (optionally a deployment slot) whose sites name must be',
    ],
    [
      'a setting name with a dash',
      { kind: 'app-service-settings', resourceId: SITE_ID, setting: 'ORDERS-API-KEY' },
      'credentials[0].targets[0].setting: must be 1-256 letters, digits, periods or underscores',
    ],
  ])('%s', (_name, target, expected) => {
    const issues = issuesOf(document(target));
    expect(issues.join('\n')).toContain(expected);
  });

  it.each([
    [
      'a storage account name with capitals',
      { kind: 'azure-dual-key', resourceId: STORAGE_ID.replace('ordersstore', 'OrdersStore') },
      'issuers.orders.resourceId: names a storage account whose storageAccounts name must be 3-24 lowercase letters or digits',
    ],
    [
      'a site id given to the dual-key issuer',
      { kind: 'azure-dual-key', resourceId: SITE_ID },
      'issuers.orders.resourceId: must be an ARM resource id',
    ],
    [
      'a function scope without a function',
      { kind: 'function-app-key', resourceId: SITE_ID, keyName: 'partner', scope: 'function' },
      'issuers.orders.functionName: is required with scope function',
    ],
    [
      'a key name with a slash',
      { kind: 'function-app-key', resourceId: SITE_ID, keyName: 'part/ner' },
      'issuers.orders.keyName',
    ],
  ])('an issuer with %s', (_name, issuer, expected) => {
    const issues = issuesOf(document(kv('https://orders-kv.vault.azure.net'), issuer));
    expect(issues.join('\n')).toContain(expected);
  });

  it('refuses one dual-key issuer for two credentials: they would regenerate each other’s keys', () => {
    const doc = document(kv('https://orders-kv.vault.azure.net'), {
      kind: 'azure-dual-key',
      resourceId: STORAGE_ID,
    });
    const second = { ...doc.credentials[0], id: 'orders-api-key-2' };

    const issues = issuesOf({ ...doc, credentials: [...doc.credentials, second] });

    expect(issues).toEqual([
      'credentials[1].issuer: issuer "orders" (azure-dual-key) already serves credentials[0]; each credential needs its own',
    ]);
  });
});

describe('Azure settings', () => {
  it('defaults to the public cloud and takes Bicep’s environment() spelling of it', () => {
    expect(settingsSchema.parse({}).KEYTURN_AZURE_CLOUD).toBe('AzurePublicCloud');
    expect(settingsSchema.parse({ KEYTURN_AZURE_CLOUD: 'AzureCloud' }).KEYTURN_AZURE_CLOUD).toBe(
      'AzurePublicCloud',
    );
    expect(settingsSchema.parse({ KEYTURN_AZURE_CLOUD: 'AzureUSGovernment' }).KEYTURN_AZURE_CLOUD).toBe(
      'AzureUSGovernment',
    );
  });

  it('treats empty endpoint overrides as unset and refuses plain http', () => {
    expect(
      settingsSchema.parse({ KEYTURN_AZURE_AUTHORITY_HOST: '' }).KEYTURN_AZURE_AUTHORITY_HOST,
    ).toBeUndefined();
    expect(
      settingsSchema.safeParse({ KEYTURN_AZURE_RESOURCE_MANAGER_ENDPOINT: 'http://management.azure.com' })
        .success,
    ).toBe(false);
    expect(settingsSchema.safeParse({ KEYTURN_AZURE_CLOUD: 'Mars' }).success).toBe(false);
  });
});

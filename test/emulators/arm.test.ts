import {
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineRequest,
  isRestError,
  type Pipeline,
  type PipelineResponse,
} from '@azure/core-rest-pipeline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  type ArmClients,
  createArmClients,
  EMULATOR_SUBSCRIPTION_ID,
  type RunningArmEmulator,
  startArmEmulator,
} from './arm';
import { createSecretClient, type RunningKeyVaultEmulator, startKeyVaultEmulator } from './key-vault';

const rg = 'rg-keyturn';
const site = { resourceGroup: rg, name: 'orders-api' };

let arm: RunningArmEmulator;
let kv: RunningKeyVaultEmulator;
let clients: ArmClients;

beforeEach(async () => {
  kv = await startKeyVaultEmulator();
  arm = await startArmEmulator({ keyVaultReferences: kv.control.referenceResolver() });
  clients = createArmClients(arm);
});

afterEach(async () => {
  await Promise.all([arm.stop(), kv.stop()]);
});

describe('ARM emulator: App Service settings through WebSiteManagementClient', () => {
  it('PUT config/appsettings replaces the whole dictionary, and the app restarts', async () => {
    arm.control.seedSite({ ...site, appSettings: { KEEP: '1', DROP: '2' } });

    const listed = await clients.web.webApps.listApplicationSettings(rg, site.name);
    const written = await clients.web.webApps.updateApplicationSettings(rg, site.name, {
      properties: { KEEP: '1', NEW: '3' },
    });

    expect(listed).toMatchObject({
      name: 'appsettings',
      type: 'Microsoft.Web/sites/config',
      properties: { KEEP: '1', DROP: '2' },
    });
    expect(written.properties).toEqual({ KEEP: '1', NEW: '3' });
    expect(arm.control.appSettings(site)).toEqual({ KEEP: '1', NEW: '3' });
    expect(arm.control.restarts(site)).toBe(1);
  });

  it('drops a concurrent change when the client writes back what it listed earlier (no ETag protects it)', async () => {
    arm.control.seedSite({ ...site, appSettings: { A: '1' } });
    arm.control.faults.concurrentAppSettingChange(site, { OTHER_TEAM: 'added meanwhile' });

    const listed = await clients.web.webApps.listApplicationSettings(rg, site.name);
    await clients.web.webApps.updateApplicationSettings(rg, site.name, {
      properties: { ...listed.properties, API_KEY: 'new' },
    });

    expect(arm.control.appSettings(site)).toEqual({ A: '1', API_KEY: 'new' });
    expect(arm.control.writes(`${siteId()}/config/appsettings`)).toHaveLength(1);
  });

  it('deployment slots have their own settings', async () => {
    arm.control.seedSite({
      ...site,
      appSettings: { WHERE: 'production' },
      slots: { staging: { appSettings: { WHERE: 'staging' } } },
    });

    await clients.web.webApps.updateApplicationSettingsSlot(rg, site.name, 'staging', {
      properties: { WHERE: 'staging', API_KEY: 'k' },
    });
    const slot = await clients.web.webApps.listApplicationSettingsSlot(rg, site.name, 'staging');

    expect(slot.type).toBe('Microsoft.Web/sites/slots/config');
    expect(slot.properties).toEqual({ WHERE: 'staging', API_KEY: 'k' });
    expect(arm.control.appSettings(site)).toEqual({ WHERE: 'production' });
  });

  it('static site app settings and Functions API settings are separate full-replace dictionaries', async () => {
    arm.control.seedStaticSite({
      resourceGroup: rg,
      name: 'portal',
      appSettings: { A: '1' },
      functionAppSettings: { F: '1' },
    });

    await clients.web.staticSites.createOrUpdateStaticSiteAppSettings(rg, 'portal', {
      properties: { B: '2' },
    });
    const functions = await clients.web.staticSites.listStaticSiteFunctionAppSettings(rg, 'portal');

    expect(arm.control.staticSiteSettings({ resourceGroup: rg, name: 'portal' })).toEqual({
      appSettings: { B: '2' },
      functionAppSettings: { F: '1' },
    });
    expect(functions.properties).toEqual({ F: '1' });
  });

  it('a site GET returns the site resource, with null siteConfig.appSettings', async () => {
    arm.control.seedSite({ ...site, kind: 'functionapp', appSettings: { SECRET: 'not in a GET' } });

    const resource = await clients.web.webApps.get(rg, site.name);

    expect(resource).toMatchObject({ name: site.name, kind: 'functionapp', type: 'Microsoft.Web/sites' });
    expect(resource.siteConfig?.appSettings).toBeNull();
    expect(JSON.stringify(resource)).not.toContain('not in a GET');
  });

  it('answers 404 ResourceNotFound for an unknown site and ResourceGroupNotFound for an unknown group', async () => {
    arm.control.seedSite(site);

    const missingSite: unknown = await clients.web.webApps.get(rg, 'nope').catch((error: unknown) => error);
    const missingGroup: unknown = await clients.web.webApps
      .get('rg-nope', site.name)
      .catch((error: unknown) => error);

    expect(isRestError(missingSite) && [missingSite.statusCode, missingSite.code]).toEqual([
      404,
      'ResourceNotFound',
    ]);
    expect(isRestError(missingGroup) && [missingGroup.statusCode, missingGroup.code]).toEqual([
      404,
      'ResourceGroupNotFound',
    ]);
  });
});

describe('ARM emulator: Key Vault references in App Service', () => {
  it('a versionless reference keeps the cached version until the documented refresh call, which does not restart', async () => {
    kv.control.seedSecret('orders-key', 'first');
    const reference = `@Microsoft.KeyVault(SecretUri=${kv.url}/secrets/orders-key)`;
    arm.control.seedSite({ ...site, appSettings: { ORDERS_KEY: reference } });
    await createSecretClient(kv).setSecret('orders-key', 'second');

    const before = arm.control.effectiveAppSettings(site).ORDERS_KEY;
    const response = await send(
      clients.web.pipeline,
      arm,
      'POST',
      `${siteId()}/config/configreferences/appsettings/refresh?api-version=2022-03-01`,
    );
    const references = [];
    for await (const item of clients.web.webApps.listAppSettingsKeyVaultReferences(rg, site.name)) {
      references.push(item);
    }

    expect(before).toBe('first');
    expect(response.status).toBe(200);
    expect(arm.control.effectiveAppSettings(site).ORDERS_KEY).toBe('second');
    expect(arm.control.restarts(site)).toBe(0);
    expect(references).toMatchObject([
      {
        name: 'ORDERS_KEY',
        status: 'Resolved',
        secretName: 'orders-key',
        activeVersion: kv.control.secret('orders-key')?.versions[1]?.version,
      },
    ]);
  });

  it('a restart also re-reads references, and an unresolvable reference leaves the reference string in place', async () => {
    kv.control.seedSecret('orders-key', 'first');
    arm.control.seedSite({
      ...site,
      appSettings: {
        ORDERS_KEY: '@Microsoft.KeyVault(VaultName=emulator;SecretName=orders-key)',
        BROKEN: '@Microsoft.KeyVault(VaultName=emulator;SecretName=missing)',
      },
    });
    kv.control.seedSecret('orders-key', 'second');

    await clients.web.webApps.restart(rg, site.name);

    expect(arm.control.effectiveAppSettings(site)).toEqual({
      ORDERS_KEY: 'second',
      BROKEN: '@Microsoft.KeyVault(VaultName=emulator;SecretName=missing)',
    });
    expect(arm.control.keyVaultReferences(site).BROKEN).toEqual({ status: 'SecretNotFound' });
    expect(arm.control.restarts(site)).toBe(1);
  });
});

describe('ARM emulator: Functions host and function keys', () => {
  it('lists host keys and creates, replaces and deletes a host key sent as { properties: { name, value } }', async () => {
    arm.control.seedSite({
      ...site,
      kind: 'functionapp',
      hostKeys: { masterKey: 'm', functionKeys: { default: 'd' } },
    });
    const keyUrl = `${siteId()}/host/default/functionKeys/partner?api-version=2025-05-01`;

    const created = await send(clients.web.pipeline, arm, 'PUT', keyUrl, {
      properties: { name: 'partner', value: 'v1' },
    });
    const replaced = await send(clients.web.pipeline, arm, 'PUT', keyUrl, {
      properties: { name: 'partner', value: 'v2' },
    });
    const keys = await clients.web.webApps.listHostKeys(rg, site.name);
    await clients.web.webApps.deleteHostSecret(rg, site.name, 'functionKeys', 'partner');
    const deletedAgain = await send(clients.web.pipeline, arm, 'DELETE', keyUrl);

    expect([created.status, replaced.status]).toEqual([201, 200]);
    expect(JSON.parse(replaced.bodyAsText ?? '')).toMatchObject({
      properties: { name: 'partner', value: 'v2' },
    });
    expect(keys).toEqual({ masterKey: 'm', functionKeys: { default: 'd', partner: 'v2' }, systemKeys: {} });
    expect(deletedAgain.status).toBe(404);
    expect(arm.control.hostKeys(site).functionKeys).toEqual({ default: 'd' });
  });

  it("rejects the SDK's flat { name, value } key body with App Service's 400", async () => {
    arm.control.seedSite({ ...site, kind: 'functionapp' });

    let raw = '';

    const failure: unknown = await clients.web.webApps
      .createOrUpdateHostSecret(
        rg,
        site.name,
        'functionKeys',
        'partner',
        { name: 'partner', value: 'v1' },
        {
          onResponse: (response) => {
            raw = response.bodyAsText ?? '';
          },
        },
      )
      .catch((error: unknown) => error);

    expect(isRestError(failure) && failure.statusCode).toBe(400);
    expect(JSON.parse(raw)).toMatchObject({
      Code: 'BadRequest',
      Message: 'Properties object is not present in the request body.',
    });
    expect(arm.control.hostKeys(site).functionKeys).not.toHaveProperty('partner');
  });

  it('function listkeys answers a flat map that the SDK StringDictionary cannot read', async () => {
    arm.control.seedSite({
      ...site,
      kind: 'functionapp',
      functions: { ingest: { default: 'fk', partner: 'pk' } },
    });
    let raw = '';

    const parsed = await clients.web.webApps.listFunctionKeys(rg, site.name, 'ingest', {
      onResponse: (response) => {
        raw = response.bodyAsText ?? '';
      },
    });
    await send(
      clients.web.pipeline,
      arm,
      'PUT',
      `${siteId()}/functions/ingest/keys/partner?api-version=2025-05-01`,
      {
        properties: { name: 'partner', value: 'rotated' },
      },
    );

    expect(JSON.parse(raw)).toEqual({ default: 'fk', partner: 'pk' });
    expect(parsed.properties).toBeUndefined();
    expect(arm.control.functionKeys(site, 'ingest')).toEqual({ default: 'fk', partner: 'rotated' });
  });
});

describe('ARM emulator: dual-key resources', () => {
  it('storage regenerateKey replaces only the named key', async () => {
    arm.control.seedStorageAccount({ resourceGroup: rg, name: 'ordersstore', key1: 'old1', key2: 'old2' });

    const result = await clients.storage.storageAccounts.regenerateKey(rg, 'ordersstore', {
      keyName: 'key2',
    });

    const keys = arm.control.storageKeys({ resourceGroup: rg, name: 'ordersstore' });
    expect(keys.key1).toBe('old1');
    expect(keys.key2).not.toBe('old2');
    expect(result.keys?.map((key) => [key.keyName, key.value, key.permissions])).toEqual([
      ['key1', 'old1', 'FULL'],
      ['key2', keys.key2, 'FULL'],
    ]);
  });

  it('Cognitive Services regenerateKey rotates Key1 or Key2 and listKeys shows it', async () => {
    arm.control.seedCognitiveAccount({ resourceGroup: rg, name: 'openai', key1: 'a', key2: 'b' });

    await clients.cognitive.accounts.regenerateKey(rg, 'openai', 'Key1');
    const keys = await clients.cognitive.accounts.listKeys(rg, 'openai');

    expect(keys.key1).not.toBe('a');
    expect(keys.key2).toBe('b');
  });

  it('API Management regenerate answers 204 and listSecrets shows the new key', async () => {
    const ref = { resourceGroup: rg, serviceName: 'gateway', sid: 'partner-a' };
    arm.control.seedApimSubscription({ ...ref, primaryKey: 'p', secondaryKey: 's' });

    await clients.apim.subscription.regenerateSecondaryKey(rg, 'gateway', 'partner-a');
    const secrets = await clients.apim.subscription.listSecrets(rg, 'gateway', 'partner-a');

    expect(secrets.primaryKey).toBe('p');
    expect(secrets.secondaryKey).toBe(arm.control.apimSubscriptionKeys(ref).secondaryKey);
    expect(secrets.secondaryKey).not.toBe('s');
    expect(
      arm.control.requests().find((entry) => entry.path.endsWith('/regenerateSecondaryKey'))?.outcome,
    ).toBe(204);
  });

  it('list calls are not writes', async () => {
    arm.control.seedStorageAccount({ resourceGroup: rg, name: 'quiet' });
    arm.control.seedSite(site);

    await clients.storage.storageAccounts.listKeys(rg, 'quiet');
    await clients.web.webApps.listApplicationSettings(rg, site.name);

    expect(arm.control.writes()).toEqual([]);
  });
});

describe('ARM emulator: protocol and faults', () => {
  it('refuses a request without a bearer token and an api-version it does not serve', async () => {
    arm.control.seedSite(site);
    const anonymous = await send(undefined, arm, 'GET', `${siteId()}?api-version=2025-05-01`);
    const oldVersion = await send(clients.web.pipeline, arm, 'GET', `${siteId()}?api-version=2016-08-01`);

    expect(anonymous.status).toBe(401);
    expect(oldVersion.status).toBe(400);
    expect(JSON.parse(oldVersion.bodyAsText ?? '')).toMatchObject({
      error: { code: 'NoRegisteredProviderFound' },
    });
  });

  it('429 carries Retry-After in the ARM error shape, and the SDK retries it', async () => {
    arm.control.seedStorageAccount({ resourceGroup: rg, name: 'busy' });
    arm.control.faults.throttle({ retryAfterSeconds: 3, match: { path: '/busy/' } });
    const noRetry = createArmClients(arm, EMULATOR_SUBSCRIPTION_ID, { maxRetries: 0 });

    const failure: unknown = await noRetry.storage.storageAccounts
      .listKeys(rg, 'busy')
      .catch((error: unknown) => error);
    const retried = arm.control.faults.throttle({ match: { path: '/busy/' } });
    await clients.storage.storageAccounts.listKeys(rg, 'busy');

    expect(isRestError(failure) && [failure.statusCode, failure.code]).toEqual([429, 'TooManyRequests']);
    expect(isRestError(failure) && failure.response?.headers.get('retry-after')).toBe('3');
    expect(retried.hits).toBe(1);
  });

  it('a regenerate whose response is lost still rotated the key', async () => {
    arm.control.seedCognitiveAccount({ resourceGroup: rg, name: 'lost', key1: 'a', key2: 'b' });
    const fault = arm.control.faults.timeout({ afterApply: true, match: { path: '/regenerateKey' } });
    const abort = new AbortController();

    const pending = clients.cognitive.accounts.regenerateKey(rg, 'lost', 'Key1', {
      abortSignal: abort.signal,
    });
    await fault.reached;
    abort.abort();

    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(arm.control.cognitiveKeys({ resourceGroup: rg, name: 'lost' }).key1).not.toBe('a');
  });
});

function siteId(): string {
  return `/subscriptions/${EMULATOR_SUBSCRIPTION_ID}/resourceGroups/${rg}/providers/Microsoft.Web/sites/${site.name}`;
}

/**
 * Sends a request the SDK has no method for (or shapes wrongly) through a client's own pipeline, so
 * authentication and TLS stay the client's. Without a pipeline, the request goes out unauthenticated.
 */
async function send(
  pipeline: Pipeline | undefined,
  emulator: RunningArmEmulator,
  method: 'GET' | 'PUT' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<PipelineResponse> {
  const request = createPipelineRequest({
    url: `${emulator.url}${path}`,
    method,
    headers: createHttpHeaders(body === undefined ? {} : { 'content-type': 'application/json' }),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  request.tlsSettings = { ca: emulator.ca };
  const httpClient = createDefaultHttpClient();
  return pipeline ? pipeline.sendRequest(httpClient, request) : httpClient.sendRequest(request);
}

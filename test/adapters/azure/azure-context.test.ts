import { createHttpHeaders, type PipelinePolicy, RestError } from '@azure/core-rest-pipeline';
import { describe, expect, it } from 'vitest';

import { storageClient, webClient } from '../../../src/adapters/azure/clients';
import { azureClouds } from '../../../src/adapters/azure/cloud';
import { type AzureContext, resolveCloud } from '../../../src/adapters/azure/context';
import { azureError } from '../../../src/adapters/azure/errors';
import { requireSameCloud } from '../../../src/adapters/azure/require';
import { KeyturnError } from '../../../src/core/errors';
import { SecretValue } from '../../../src/core/secret';

/** Answers every request itself and remembers where it went and with which token scopes. */
function recordingContext(cloud = azureClouds.AzureUSGovernment) {
  const seen: { url: string; scopes: string[] }[] = [];
  let scopes: string[] = [];
  const answer: PipelinePolicy = {
    name: 'answer',
    sendRequest: (request) => {
      seen.push({ url: request.url, scopes });
      return Promise.resolve({
        request,
        status: 200,
        headers: createHttpHeaders({ 'content-type': 'application/json' }),
        bodyAsText: JSON.stringify({ keys: [], properties: {} }),
      });
    },
  };
  const context: AzureContext = {
    credential: {
      getToken: (requested) => {
        scopes = Array.isArray(requested) ? requested : [requested];
        return Promise.resolve({ token: 't', expiresOnTimestamp: Date.now() + 3_600_000 });
      },
    },
    cloud,
    clientOptions: { common: { additionalPolicies: [{ policy: answer, position: 'perRetry' }] } },
  };
  return { context, seen };
}

describe('Azure context: sovereign clouds', () => {
  it('sends management calls to the cloud’s Resource Manager with its token audience', async () => {
    const { context, seen } = recordingContext();

    await storageClient(context, '11111111-2222-3333-4444-555555555555').storageAccounts.listKeys(
      'rg',
      'ordersstore',
    );
    await webClient(context, '11111111-2222-3333-4444-555555555555').webApps.listApplicationSettings(
      'rg',
      'orders',
    );

    expect(seen.map((s) => new URL(s.url).origin)).toEqual([
      'https://management.usgovcloudapi.net',
      'https://management.usgovcloudapi.net',
    ]);
    expect(seen.map((s) => s.scopes)).toEqual([
      ['https://management.usgovcloudapi.net/.default'],
      ['https://management.usgovcloudapi.net/.default'],
    ]);
  });

  it('applies endpoint overrides without a trailing slash', () => {
    const cloud = resolveCloud({
      cloud: 'AzureChinaCloud',
      authorityHost: 'https://login.chinacloudapi.cn/',
      resourceManagerEndpoint: 'https://management.chinacloudapi.cn/',
    });

    expect(cloud).toMatchObject({
      authorityHost: 'https://login.chinacloudapi.cn',
      resourceManagerEndpoint: 'https://management.chinacloudapi.cn',
      keyVaultDnsSuffix: 'vault.azure.cn',
    });
  });

  it('refuses a vault of another cloud, saying which setting to change', () => {
    const { context } = recordingContext();

    expect(() =>
      requireSameCloud(
        context,
        'https://orders-kv.vault.azure.net',
        [context.cloud.keyVaultDnsSuffix],
        'vaultUrl',
      ),
    ).toThrow(
      /vaultUrl https:\/\/orders-kv.vault.azure.net is not in AzureUSGovernment.*KEYTURN_AZURE_CLOUD/,
    );
  });
});

describe('Azure failures', () => {
  const failure = (status: number | undefined, code?: string) =>
    new RestError(`service said ${code ?? 'nothing'}`, {
      ...(status !== undefined && { statusCode: status }),
      ...(code !== undefined && { code }),
    });

  it.each([
    [429, 'throttled', true],
    [408, 'unavailable', true],
    [500, 'unavailable', true],
    [503, 'unavailable', true],
    [501, 'invalid-input', false],
    [400, 'invalid-input', false],
    [401, 'forbidden', false],
    [403, 'forbidden', false],
    [404, 'not-found', false],
    [409, 'conflict', false],
    [undefined, 'unavailable', true],
  ])('maps HTTP %s to %s (retryable: %s)', (status, kind, retryable) => {
    const error = azureError(failure(status, 'Code'), 'write', 'Key Vault secret orders-api-key');

    expect(error).toBeInstanceOf(KeyturnError);
    expect(error).toMatchObject({ kind, retryable });
    expect(error.message).toMatch(/^Cannot write Key Vault secret orders-api-key: /);
  });

  it('keeps what the service said and not the request it answered, and blanks the key out of the text', () => {
    const key = new SecretValue('the-key-value-1234');
    const sdkError = new RestError('value the-key-value-1234 is not allowed', {
      statusCode: 400,
      code: 'BadRequest',
    });

    const error = azureError(sdkError, 'write', 'setting X', [key]);

    expect(error.message).toContain('[redacted]');
    expect(error.message).not.toContain('the-key-value-1234');
    expect(error.cause).not.toBe(sdkError);
    expect(JSON.stringify(error.cause)).not.toContain('the-key-value-1234');
  });

  it('reports a credential that is not available as forbidden, not as something to retry', () => {
    const error = Object.assign(new Error('no credential'), { name: 'CredentialUnavailableError' });

    expect(azureError(error, 'read', 'vault')).toMatchObject({ kind: 'forbidden', retryable: false });
  });
});

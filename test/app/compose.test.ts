import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ManagedIdentityCredential } from '@azure/identity';
import { describe, expect, it } from 'vitest';

import { composeFromEnvironment, storageConnection } from '../../src/app/compose';
import { InvalidInputError } from '../../src/core/errors';
import { ManualClock } from '../support/clock';
import { azuriteConnectionString, uniqueTableName } from '../support/tables';

const root = join(__dirname, '..', '..');

describe('composition from app settings', () => {
  it('starts from the settings the Functions host provides, creating its tables and master key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyturn-compose-'));
    const services = await composeFromEnvironment(
      {
        AzureWebJobsStorage: azuriteConnectionString(),
        KEYTURN_TABLE_PREFIX: uniqueTableName('c'),
        KEYTURN_CONFIG_PATH: 'templates/config/local-files.yaml',
        KEYTURN_MASTER_KEY_FILE: join(dir, 'master.key'),
        KEYTURN_MASTER_KEY_VAULT_URL: '',
        AzureWebJobsScriptRoot: root,
      },
      new ManualClock(),
    );
    expect(services.config.config.credentials.map((c) => c.id)).toEqual(['orders-client-key']);
    expect(await services.credentials.listStates()).toEqual([]);
    expect((await services.verifyAudit()).ok).toBe(true);
  });

  it('names the bad setting and starts nothing', async () => {
    await expect(
      composeFromEnvironment({
        AzureWebJobsStorage: azuriteConnectionString(),
        KEYTURN_SCAN_SCHEDULE: 'hourly',
      }),
    ).rejects.toThrow(InvalidInputError);
    await expect(
      composeFromEnvironment({
        AzureWebJobsStorage: azuriteConnectionString(),
        KEYTURN_SCAN_SCHEDULE: 'hourly',
      }),
    ).rejects.toThrow(/KEYTURN_SCAN_SCHEDULE/);
  });

  it('says where the master key must come from when no location is set', async () => {
    await expect(
      composeFromEnvironment({
        AzureWebJobsStorage: azuriteConnectionString(),
        KEYTURN_TABLE_PREFIX: uniqueTableName('c'),
        AzureWebJobsScriptRoot: root,
      }),
    ).rejects.toThrow(/KEYTURN_MASTER_KEY_VAULT_URL .* or KEYTURN_MASTER_KEY_FILE/);
  });
});

describe('storage connection', () => {
  const fallback = () => {
    throw new Error('the fallback credential is not wanted here');
  };

  it('uses a connection string when the setting holds one', () => {
    expect(
      storageConnection(
        { AzureWebJobsStorage: 'UseDevelopmentStorage=true' },
        'AzureWebJobsStorage',
        fallback,
      ),
    ).toEqual({
      kind: 'connection-string',
      connectionString: 'UseDevelopmentStorage=true',
    });
  });

  it('uses the managed identity named by __clientId with the __tableServiceUri, as in Azure', () => {
    const connection = storageConnection(
      {
        AzureWebJobsStorage__tableServiceUri: 'https://stkeyturn.table.core.windows.net',
        AzureWebJobsStorage__clientId: '00000000-0000-0000-0000-000000000001',
      },
      'AzureWebJobsStorage',
      fallback,
    );
    expect(connection).toMatchObject({
      kind: 'identity',
      tableServiceUri: 'https://stkeyturn.table.core.windows.net',
    });
    expect(connection.kind === 'identity' && connection.credential).toBeInstanceOf(ManagedIdentityCredential);
  });

  it('names both ways to configure it when neither is there', () => {
    expect(() => storageConnection({}, 'AzureWebJobsStorage', fallback)).toThrow(
      /AzureWebJobsStorage .* or AzureWebJobsStorage__tableServiceUri/,
    );
  });
});

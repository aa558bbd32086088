import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { KeyVaultMasterKey } from '../../src/crypto/master-key';
import {
  createSecretClient,
  type RunningKeyVaultEmulator,
  startKeyVaultEmulator,
} from '../emulators/key-vault';

describe('the master key in Key Vault', () => {
  let kv: RunningKeyVaultEmulator;
  beforeAll(async () => {
    kv = await startKeyVaultEmulator();
  });
  afterAll(async () => {
    await kv.stop();
  });

  it('is created in the vault on first start and read back unchanged afterwards', async () => {
    const client = createSecretClient(kv);
    const first = await new KeyVaultMasterKey(client, 'keyturn-master-key').load();
    expect(first).toHaveLength(32);
    const again = await new KeyVaultMasterKey(createSecretClient(kv), 'keyturn-master-key').load();
    expect(again).toEqual(first);
    const stored = await client.getSecret('keyturn-master-key');
    expect(stored.properties.tags).toMatchObject({ purpose: 'keyturn-master-key' });
  });

  it('fails with a retryable error naming the vault when the vault answers 500', async () => {
    kv.control.faults.serverError(500, { times: 10 });
    await expect(new KeyVaultMasterKey(createSecretClient(kv), 'other-key').load()).rejects.toMatchObject({
      kind: 'unavailable',
      retryable: true,
      message: expect.stringContaining(kv.url),
    });
  });
});

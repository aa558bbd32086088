import {
  type AddConfigurationSettingParam,
  parseSecretReference,
  secretReferenceContentType,
  type SecretReferenceValue,
} from '@azure/app-configuration';
import { isRestError } from '@azure/core-rest-pipeline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  createAppConfigurationClient,
  type RunningAppConfigurationEmulator,
  startAppConfigurationEmulator,
} from './app-configuration';

let store: RunningAppConfigurationEmulator;

beforeEach(async () => {
  store = await startAppConfigurationEmulator({ pageSize: 2 });
});

afterEach(async () => {
  await store.stop();
});

describe('App Configuration emulator: key-values through the real AppConfigurationClient', () => {
  it('add creates only when absent; a second add gets 412', async () => {
    const client = createAppConfigurationClient(store);

    const added = await client.addConfigurationSetting({ key: 'app/api-key', label: 'prod', value: 'v1' });
    const failure: unknown = await client
      .addConfigurationSetting({ key: 'app/api-key', label: 'prod', value: 'v2' })
      .catch((error: unknown) => error);

    expect(added).toMatchObject({ key: 'app/api-key', label: 'prod', value: 'v1', isReadOnly: false });
    expect(added.etag).toBe(store.control.keyValue('app/api-key', 'prod')?.etag);
    expect(isRestError(failure) && failure.statusCode).toBe(412);
    expect(store.control.keyValue('app/api-key', 'prod')?.value).toBe('v1');
  });

  it('a stale If-Match gets 412 from App Configuration', async () => {
    const client = createAppConfigurationClient(store);
    const read = await client.addConfigurationSetting({ key: 'shared', value: 'original' });
    await client.setConfigurationSetting({ key: 'shared', value: 'changed elsewhere' });

    const failure: unknown = await client
      .setConfigurationSetting({ ...read, value: 'mine' }, { onlyIfUnchanged: true })
      .catch((error: unknown) => error);

    expect(isRestError(failure) && failure.statusCode).toBe(412);
    expect(store.control.keyValue('shared')?.value).toBe('changed elsewhere');
  });

  it('a concurrent change injected between the read and the write makes onlyIfUnchanged fail', async () => {
    store.control.seed({ key: 'raced', label: 'prod', value: 'original' });
    store.control.faults.concurrentChange({ key: 'raced', label: 'prod', value: 'theirs' });
    const client = createAppConfigurationClient(store);

    const read = await client.getConfigurationSetting({ key: 'raced', label: 'prod' });
    const failure: unknown = await client
      .setConfigurationSetting({ ...read, value: 'mine' }, { onlyIfUnchanged: true })
      .catch((error: unknown) => error);

    expect(isRestError(failure) && failure.statusCode).toBe(412);
    expect(store.control.keyValue('raced', 'prod')?.value).toBe('theirs');
    expect(store.control.writes({ key: 'raced', label: 'prod' })).toEqual([]);
  });

  it('onlyIfChanged answers 304 while the ETag is current and 200 after a change', async () => {
    const client = createAppConfigurationClient(store);
    const first = await client.addConfigurationSetting({ key: 'watched', value: 'a' });

    const unchanged = await client.getConfigurationSetting(first, { onlyIfChanged: true });
    await client.setConfigurationSetting({ key: 'watched', value: 'b' });
    const changed = await client.getConfigurationSetting(first, { onlyIfChanged: true });

    expect(unchanged.statusCode).toBe(304);
    expect(changed.statusCode).toBe(200);
    expect(changed.value).toBe('b');
  });

  it('an unconditional set replaces the key-value: omitted tags and content type are cleared', async () => {
    const client = createAppConfigurationClient(store);
    await client.addConfigurationSetting({
      key: 'replaced',
      value: 'a',
      tags: { t: '1' },
      contentType: 'text/plain',
    });

    const replaced = await client.setConfigurationSetting({ key: 'replaced', value: 'b' });

    expect(replaced.tags).toEqual({});
    expect(replaced.contentType).toBeUndefined();
  });

  it('a locked key-value refuses set and delete with 409 key-locked until it is unlocked', async () => {
    const client = createAppConfigurationClient(store);
    await client.addConfigurationSetting({ key: 'locked', label: 'prod', value: 'v1' });
    await client.setReadOnly({ key: 'locked', label: 'prod' }, true);

    const setFailure: unknown = await client
      .setConfigurationSetting({ key: 'locked', label: 'prod', value: 'v2' })
      .catch((error: unknown) => error);
    const deleteFailure: unknown = await client
      .deleteConfigurationSetting({ key: 'locked', label: 'prod' })
      .catch((error: unknown) => error);
    await client.setReadOnly({ key: 'locked', label: 'prod' }, false);
    await client.setConfigurationSetting({ key: 'locked', label: 'prod', value: 'v2' });

    expect(isRestError(setFailure) && setFailure.statusCode).toBe(409);
    expect(isRestError(deleteFailure) && deleteFailure.statusCode).toBe(409);
    expect(store.control.keyValue('locked', 'prod')).toMatchObject({ value: 'v2', locked: false });
  });

  it('delete with a stale ETag gets 412; deleting a missing key-value answers 204', async () => {
    const client = createAppConfigurationClient(store);
    const setting = await client.addConfigurationSetting({ key: 'doomed', value: 'x' });
    await client.setConfigurationSetting({ key: 'doomed', value: 'y' });

    const stale: unknown = await client
      .deleteConfigurationSetting(setting, { onlyIfUnchanged: true })
      .catch((error: unknown) => error);
    const deleted = await client.deleteConfigurationSetting({ key: 'doomed' });
    const missing = await client.deleteConfigurationSetting({ key: 'doomed' });

    expect(isRestError(stale) && stale.statusCode).toBe(412);
    expect(deleted).toMatchObject({ statusCode: 200, value: 'y' });
    expect(missing.statusCode).toBe(204);
  });

  it('listing pages through @nextLink and honours key prefix and null-label filters', async () => {
    for (const [key, label] of [
      ['app/a', null],
      ['app/b', null],
      ['app/c', 'prod'],
      ['app/d', null],
      ['other', null],
    ] as const) {
      store.control.seed({ key, label, value: key });
    }
    const client = createAppConfigurationClient(store);

    const pages: string[][] = [];
    for await (const page of client
      .listConfigurationSettings({ keyFilter: 'app/*', labelFilter: '\0' })
      .byPage()) {
      pages.push(page.items.map((item) => item.key));
    }
    const labelled: string[] = [];
    for await (const item of client.listConfigurationSettings({ labelFilter: 'prod' })) {
      labelled.push(item.key);
    }

    expect(pages).toEqual([['app/a', 'app/b'], ['app/d']]);
    expect(labelled).toEqual(['app/c']);
  });

  it('a Key Vault reference keeps its content type and parses back to the secret id', async () => {
    const client = createAppConfigurationClient(store);
    const reference: AddConfigurationSettingParam<SecretReferenceValue> = {
      key: 'app/db-password',
      contentType: secretReferenceContentType,
      value: { secretId: 'https://vault.vault.azure.net/secrets/db-password' },
    };

    await client.addConfigurationSetting(reference);
    const read = parseSecretReference(await client.getConfigurationSetting({ key: 'app/db-password' }));

    expect(read.value.secretId).toBe('https://vault.vault.azure.net/secrets/db-password');
    expect(store.control.keyValue('app/db-password')?.value).toBe(
      '{"uri":"https://vault.vault.azure.net/secrets/db-password"}',
    );
  });

  it('reads and no-op locks are not writes', async () => {
    store.control.seed({ key: 'quiet', value: 'x' });
    const client = createAppConfigurationClient(store);

    await client.getConfigurationSetting({ key: 'quiet' });
    for await (const _ of client.listConfigurationSettings()) {
      // drain
    }
    await client.setReadOnly({ key: 'quiet' }, false);

    expect(store.control.writes()).toEqual([]);
  });
});

describe('App Configuration emulator: authentication', () => {
  it('accepts HMAC-signed requests from the connection string', async () => {
    const client = createAppConfigurationClient(store, 'hmac');

    await client.addConfigurationSetting({ key: 'signed', value: 'yes' });

    expect(store.control.keyValue('signed')?.value).toBe('yes');
  });

  it('refuses an HMAC signature made with the wrong secret', async () => {
    const forged = store.connectionString.replace(
      /Secret=.*$/,
      `Secret=${Buffer.from('x'.repeat(32)).toString('base64')}`,
    );
    const client = createAppConfigurationClient({ ...store, connectionString: forged }, 'hmac');

    const failure: unknown = await client
      .getConfigurationSetting({ key: 'any' })
      .catch((error: unknown) => error);

    expect(isRestError(failure) && failure.statusCode).toBe(401);
  });
});

describe('App Configuration emulator: injected faults', () => {
  it('429 carries retry-after-ms and the service problem shape', async () => {
    store.control.faults.throttle({ retryAfterMs: 250 });
    const client = createAppConfigurationClient(store, 'token', { retryOptions: { maxRetries: 0 } });

    const failure: unknown = await client
      .getConfigurationSetting({ key: 'any' })
      .catch((error: unknown) => error);

    expect(isRestError(failure) && failure.statusCode).toBe(429);
    expect(isRestError(failure) && failure.response?.headers.get('retry-after-ms')).toBe('250');
    expect(isRestError(failure) && failure.details).toMatchObject({
      type: 'https://azconfig.io/errors/too-many-requests',
      status: 429,
    });
  });

  it('the SDK honours retry-after-ms on 429 and 503 and then succeeds', async () => {
    const throttled = store.control.faults.throttle({ retryAfterMs: 1, match: { method: 'PUT' } });
    const unavailable = store.control.faults.serverError(503, { retryAfterMs: 1, match: { method: 'PUT' } });
    const client = createAppConfigurationClient(store);

    await client.setConfigurationSetting({ key: 'persistent', value: 'x' });

    expect([throttled.hits, unavailable.hits]).toEqual([1, 1]);
    expect(store.control.writes({ key: 'persistent' })).toHaveLength(1);
  });

  it('a reset after the write is applied is retried by the SDK and leaves one key-value with a newer ETag', async () => {
    store.control.faults.timeout({ mode: 'reset', afterApply: true, match: { method: 'PUT' } });
    const client = createAppConfigurationClient(store);

    const result = await client.setConfigurationSetting({ key: 'retried', value: 'x' });

    expect(store.control.writes({ key: 'retried' })).toHaveLength(2);
    expect(result.etag).toBe(store.control.keyValue('retried')?.etag);
  });
});

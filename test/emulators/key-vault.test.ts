import { request } from 'node:https';

import { isRestError } from '@azure/core-rest-pipeline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createSecretClient, type RunningKeyVaultEmulator, startKeyVaultEmulator } from './key-vault';

let kv: RunningKeyVaultEmulator;

beforeEach(async () => {
  kv = await startKeyVaultEmulator({ recoverableDays: 7 });
});

afterEach(async () => {
  await kv.stop();
});

describe('Key Vault emulator: secrets through the real SecretClient', () => {
  it('SecretClient sees a new version for every setSecret, and get returns the latest', async () => {
    const client = createSecretClient(kv);
    const versions: string[] = [];
    for (const value of ['one', 'two', 'three']) {
      const secret = await client.setSecret('api-key', value);
      versions.push(secret.properties.version ?? '');
    }

    expect(new Set(versions).size).toBe(3);
    const latest = await client.getSecret('api-key');
    expect(latest.value).toBe('three');
    expect(latest.properties.version).toBe(versions[2]);
    const older = await client.getSecret('api-key', { version: versions[0] });
    expect(older.value).toBe('one');
    expect(kv.control.secret('api-key')?.versions.map((version) => version.value)).toEqual([
      'one',
      'two',
      'three',
    ]);
  });

  it('keeps content type, tags and validity dates on set and reports the recovery level', async () => {
    const client = createSecretClient(kv);
    const expiresOn = new Date('2031-01-01T00:00:00Z');
    const notBefore = new Date('2030-01-01T00:00:00Z');

    const secret = await client.setSecret('tagged', 'value', {
      contentType: 'text/plain',
      tags: { CredentialId: 'key1' },
      expiresOn,
      notBefore,
    });

    expect(secret.properties).toMatchObject({
      contentType: 'text/plain',
      tags: { CredentialId: 'key1' },
      expiresOn,
      notBefore,
      enabled: true,
      recoveryLevel: 'CustomizedRecoverable+Purgeable',
      recoverableDays: 7,
    });
  });

  it('a disabled version is forbidden (403 Forbidden, inner SecretDisabled) but its properties can still change', async () => {
    const client = createSecretClient(kv);
    const { properties } = await client.setSecret('old-key', 'value');

    await client.updateSecretProperties('old-key', properties.version ?? '', { enabled: false });
    const failure: unknown = await client.getSecret('old-key').catch((error: unknown) => error);

    expect(isRestError(failure) && failure.statusCode).toBe(403);
    expect(isRestError(failure) && failure.message).toBe(
      'Operation get is not allowed on a disabled secret.',
    );
    const updated = await client.updateSecretProperties('old-key', properties.version ?? '', {
      tags: { state: 'revoked' },
    });
    expect(updated).toMatchObject({ enabled: false, tags: { state: 'revoked' } });
    expect(kv.control.secret('old-key')?.versions).toHaveLength(1);
  });

  it('listing versions pages through nextLink with maxresults and never returns values', async () => {
    const client = createSecretClient(kv);
    for (let index = 0; index < 5; index += 1) {
      await client.setSecret('paged', `value-${index}`);
    }

    const pageSizes: number[] = [];
    const listed: string[] = [];
    for await (const page of client.listPropertiesOfSecretVersions('paged').byPage({ maxPageSize: 2 })) {
      pageSizes.push(page.length);
      listed.push(...page.map((item) => item.version ?? ''));
      expect(page.every((item) => !('value' in item))).toBe(true);
    }

    expect(pageSizes).toEqual([2, 2, 1]);
    expect(listed.sort()).toEqual(
      kv.control
        .secret('paged')
        ?.versions.map((version) => version.version)
        .sort(),
    );
    expect(kv.control.requests().filter((entry) => entry.query.includes('$skiptoken'))).toHaveLength(2);
  });

  it('lists secret properties by name and an unknown name has no versions', async () => {
    const client = createSecretClient(kv);
    await client.setSecret('b-secret', 'x');
    await client.setSecret('A-secret', 'y');

    const names: string[] = [];
    for await (const properties of client.listPropertiesOfSecrets()) {
      names.push(properties.name);
    }
    const versions: unknown[] = [];
    for await (const version of client.listPropertiesOfSecretVersions('missing')) {
      versions.push(version);
    }

    expect(names).toEqual(['A-secret', 'b-secret']);
    expect(versions).toEqual([]);
  });

  it('update changes attributes, tags and content type of one version without adding a version', async () => {
    const client = createSecretClient(kv);
    const { properties } = await client.setSecret('meta', 'value');
    const expiresOn = new Date('2032-06-01T00:00:00Z');

    await client.updateSecretProperties('meta', properties.version ?? '', {
      expiresOn,
      contentType: 'application/x-api-key',
      tags: { rotated: 'yes' },
    });

    const [version] = kv.control.secret('meta')?.versions ?? [];
    expect(version).toMatchObject({
      expiresOn,
      contentType: 'application/x-api-key',
      tags: { rotated: 'yes' },
    });
    expect(kv.control.secret('meta')?.versions).toHaveLength(1);
  });

  it('soft-deletes: the deleted secret is readable, its name is blocked with 409 ObjectIsDeletedButRecoverable', async () => {
    const client = createSecretClient(kv);
    await client.setSecret('to-delete', 'value');

    const poller = await client.beginDeleteSecret('to-delete', { intervalInMs: 1 });
    const deleted = await poller.pollUntilDone();
    const conflict: unknown = await client.setSecret('to-delete', 'again').catch((error: unknown) => error);

    expect(deleted.recoveryId).toBe(`${kv.url}/deletedsecrets/to-delete`);
    expect(deleted.scheduledPurgeDate).toBeInstanceOf(Date);
    expect((await client.getDeletedSecret('to-delete')).name).toBe('to-delete');
    expect(isRestError(conflict) && conflict.statusCode).toBe(409);
    expect(isRestError(conflict) && conflict.message).toMatch(/deleted but recoverable state/);
    expect(kv.control.secret('to-delete')).toBeUndefined();
    expect(kv.control.deletedSecret('to-delete')?.versions).toHaveLength(1);
  });

  it('recover brings back every version; purge frees the name', async () => {
    const client = createSecretClient(kv);
    await client.setSecret('kept', 'v1');
    await client.setSecret('kept', 'v2');
    await client.setSecret('dropped', 'x');
    await (await client.beginDeleteSecret('kept', { intervalInMs: 1 })).pollUntilDone();
    await (await client.beginDeleteSecret('dropped', { intervalInMs: 1 })).pollUntilDone();

    await (await client.beginRecoverDeletedSecret('kept', { intervalInMs: 1 })).pollUntilDone();
    await client.purgeDeletedSecret('dropped');
    const reused = await client.setSecret('dropped', 'fresh');

    expect(kv.control.secret('kept')?.versions.map((version) => version.value)).toEqual(['v1', 'v2']);
    expect(reused.value).toBe('fresh');
    expect(kv.control.deletedSecret('dropped')).toBeUndefined();
  });

  it("the SDK's delete and recover pollers wait out replication lag", async () => {
    kv.control.setReplicationLag({ afterDelete: 2, afterRecover: 1 });
    const client = createSecretClient(kv);
    await client.setSecret('lagging', 'value');

    await (await client.beginDeleteSecret('lagging', { intervalInMs: 1 })).pollUntilDone();
    await (await client.beginRecoverDeletedSecret('lagging', { intervalInMs: 1 })).pollUntilDone();

    const outcomes = kv.control
      .requests()
      .slice(3) // the challenge, the set and the delete
      .map((entry) => `${entry.method} ${entry.path} ${String(entry.outcome)}`);
    expect(outcomes).toEqual([
      'GET /deletedsecrets/lagging 404',
      'GET /deletedsecrets/lagging 404',
      'GET /deletedsecrets/lagging 200',
      'GET /secrets/lagging/ 404', // the recover poller first checks whether the secret is live
      'POST /deletedsecrets/lagging/recover 200',
      'GET /secrets/lagging/ 404',
      'GET /secrets/lagging/ 200',
    ]);
  });

  it('reads are not writes: only set, update, delete, recover and purge are counted', async () => {
    const client = createSecretClient(kv);
    kv.control.seedSecret('seeded', 'value');

    await client.getSecret('seeded');
    for await (const _ of client.listPropertiesOfSecrets()) {
      // drain
    }
    expect(kv.control.writes()).toEqual([]);

    await client.setSecret('seeded', 'next');
    expect(kv.control.writes('seeded')).toEqual([
      { resource: 'secrets/seeded', operation: 'set', by: 'client' },
    ]);
  });
});

describe('Key Vault emulator: authentication', () => {
  it('challenges an unauthenticated request with WWW-Authenticate for vault.azure.net', async () => {
    const response = await rawRequest(kv, 'GET', '/secrets/any/?api-version=7.3', {});

    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toMatch(
      /^Bearer authorization="https:\/\/login\.windows\.net\/[0-9a-f-]+", resource="https:\/\/vault\.azure\.net"$/,
    );
    expect(JSON.parse(response.body)).toEqual({
      error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer or PoP token.' },
    });
  });

  it('refuses a token it was not configured with', async () => {
    const response = await rawRequest(kv, 'GET', '/secrets/any/?api-version=7.3', {
      authorization: 'Bearer forged',
    });

    expect(response.status).toBe(401);
  });

  it('accepts the recordings api-version 7.3 and rejects an unknown one', async () => {
    const headers = { authorization: 'Bearer keyturn-emulator-token' };
    kv.control.seedSecret('versioned', 'value');

    expect((await rawRequest(kv, 'GET', '/secrets/versioned/?api-version=7.3', headers)).status).toBe(200);
    expect((await rawRequest(kv, 'GET', '/secrets/versioned/?api-version=1999-01-01', headers)).status).toBe(
      400,
    );
  });
});

describe('Key Vault emulator: injected faults', () => {
  it('429 carries Retry-After and the Throttled error shape', async () => {
    kv.control.faults.throttle({ retryAfterSeconds: 7 });
    const client = createSecretClient(kv, { retryOptions: { maxRetries: 0 } });

    const failure: unknown = await client.setSecret('throttled', 'value').catch((error: unknown) => error);

    expect(isRestError(failure) && failure.statusCode).toBe(429);
    expect(isRestError(failure) && failure.response?.headers.get('retry-after')).toBe('7');
    expect(isRestError(failure) && failure.code).toBe('Throttled');
    expect(kv.control.secret('throttled')).toBeUndefined();
  });

  it('the SDK retries a 429 with Retry-After: 0 and then succeeds', async () => {
    const fault = kv.control.faults.throttle({ times: 2 });
    const client = createSecretClient(kv);

    await client.setSecret('eventually', 'value');

    expect(fault.hits).toBe(2);
    expect(kv.control.secret('eventually')?.versions).toHaveLength(1);
  });

  it('a 500 surfaces once retries are exhausted; a 503 within the retry budget does not', async () => {
    kv.control.faults.serverError(500, { times: Infinity, match: { path: '/secrets/broken' } });
    kv.control.faults.serverError(503, { times: 1, match: { path: '/secrets/flaky' } });
    const client = createSecretClient(kv, {
      retryOptions: { maxRetries: 2, retryDelayInMs: 1, maxRetryDelayInMs: 1 },
    });

    const failure: unknown = await client.setSecret('broken', 'value').catch((error: unknown) => error);
    await client.setSecret('flaky', 'value');

    expect(isRestError(failure) && failure.statusCode).toBe(500);
    expect(
      kv.control.requests().filter((entry) => entry.path === '/secrets/broken' && entry.outcome === 500),
    ).toHaveLength(3);
    expect(kv.control.secret('flaky')?.versions).toHaveLength(1);
  });

  it('a request that hangs is ended by the client, and the write did not happen', async () => {
    const fault = kv.control.faults.timeout({ match: { method: 'PUT', path: '/secrets/hung' } });
    const client = createSecretClient(kv);
    const abort = new AbortController();

    const pending = client.setSecret('hung', 'value', { abortSignal: abort.signal });
    await fault.reached;
    abort.abort();

    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(kv.control.secret('hung')).toBeUndefined();
  });

  it('a connection reset after the write is applied makes the SDK retry create a second version', async () => {
    kv.control.faults.timeout({
      mode: 'reset',
      afterApply: true,
      match: { method: 'PUT', path: '/secrets/twice' },
    });
    const client = createSecretClient(kv);

    await client.setSecret('twice', 'value');

    expect(kv.control.secret('twice')?.versions.map((version) => version.value)).toEqual(['value', 'value']);
  });

  it('a concurrent writer adds a version between the client read and its write', async () => {
    kv.control.seedSecret('raced', 'original');
    kv.control.faults.concurrentNewVersion('raced', 'from-someone-else');
    const client = createSecretClient(kv);

    const before = await client.getSecret('raced');
    await client.setSecret('raced', 'from-client');

    expect(before.value).toBe('original');
    expect(kv.control.secret('raced')?.versions.map((version) => version.value)).toEqual([
      'original',
      'from-someone-else',
      'from-client',
    ]);
  });
});

function rawRequest(
  emulator: RunningKeyVaultEmulator,
  method: string,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${emulator.url}${path}`, { method, headers, ca: emulator.ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

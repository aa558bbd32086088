import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CREDENTIAL, Harness } from '../support/harness';
import { stateSnapshot } from '../support/snapshot';

interface ErrorBody {
  error: { code: string; message: string; requestId: string; fields?: { path: string; message: string }[] };
}

/** Invariant 8: bad requests get a 4xx naming the field, and change nothing. */
describe('bad input to the HTTP API', () => {
  let h: Harness;
  let before: unknown;
  beforeAll(async () => {
    h = await Harness.start();
    await h.api('POST', `/credentials/${CREDENTIAL}/rotate`, { reason: 'onboarding' });
    await h.drain();
    before = await stateSnapshot(h, CREDENTIAL);
  });
  afterAll(async () => {
    await h.stop();
  });

  it.each([
    ['a missing reason', 'POST', `/credentials/${CREDENTIAL}/rotate`, {}, 'body.reason'],
    ['a reason too short', 'POST', `/credentials/${CREDENTIAL}/rotate`, { reason: 'x' }, 'body.reason'],
    [
      'a non-boolean emergency',
      'POST',
      `/credentials/${CREDENTIAL}/rotate`,
      { reason: 'fine', emergency: 'yes' },
      'body.emergency',
    ],
    [
      'an unknown body field',
      'POST',
      `/credentials/${CREDENTIAL}/rotate`,
      { reason: 'fine', force: true },
      'body',
    ],
    ['a body that is not JSON', 'POST', `/credentials/${CREDENTIAL}/rotate`, '{"reason": ', 'body'],
    ['a JSON array body', 'POST', `/credentials/${CREDENTIAL}/rotate`, '[]', 'body'],
    [
      'a malformed credential id',
      'POST',
      '/credentials/Not_An_Id/rotate',
      { reason: 'fine' },
      'path.credentialId',
    ],
    [
      'a rollback without a reason',
      'POST',
      `/credentials/${CREDENTIAL}/rollback`,
      { requestedBy: 'me' },
      'body.reason',
    ],
    ['an unknown compliance state filter', 'GET', '/credentials?state=green', undefined, 'query.state'],
    ['an unknown query parameter', 'GET', '/credentials?colour=green', undefined, 'query'],
    ['a malformed rotation id', 'GET', '/rotations/not-a-rotation-id', undefined, 'path.rotationId'],
    ['a key that is not a string', 'POST', '/keys/verify', { key: 42 }, 'body.key'],
    [
      'an approval without a decision',
      'POST',
      `/rotations/${CREDENTIAL}.g1/approval`,
      { comment: 'ok' },
      'body.approve',
    ],
  ] as const)('answers 400 naming the field for %s', async (_label, method, path, body, field) => {
    const response = await h.api(method, path, body);
    expect(response.status).toBe(400);
    const error = (response.body as ErrorBody).error;
    expect(error.code).toBe('invalid_request');
    expect(error.requestId).toMatch(/.+/);
    expect(error.fields?.map((f) => f.path)).toContain(field);
  });

  it('answers 404 for a credential that is not configured', async () => {
    const response = await h.api('POST', '/credentials/unknown-key/rotate', { reason: 'fine' });
    expect(response.status).toBe(404);
    expect((response.body as ErrorBody).error.code).toBe('not_found');
  });

  it('answers 413 for an oversized body before parsing it', async () => {
    const response = await h.api('POST', `/credentials/${CREDENTIAL}/rotate`, {
      reason: 'x'.repeat(2_000_000),
    });
    expect(response.status).toBe(413);
  });

  it('changed nothing: no rotation started, no state written', async () => {
    await h.drain();
    const instances = await h.keyturn.host.engine.listMeta();
    expect(instances.map((i) => i.instanceId)).toEqual([`${CREDENTIAL}.g1`]);
    expect(await stateSnapshot(h, CREDENTIAL)).toEqual(before);
  });
});

describe('authorization', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await Harness.start();
  });
  afterAll(async () => {
    await h.stop();
  });

  it('declares a non-anonymous auth level on every HTTP trigger', async () => {
    const { installFunctionsCore } = await import('../../src/local/functions-core/install');
    const http = installFunctionsCore().byTrigger('httpTrigger');
    expect(http.map((f) => f.metadata.name).sort()).toEqual([
      'decideRotation',
      'getCredential',
      'getRotation',
      'listCredentials',
      'requestRollback',
      'requestRotation',
      'verifyAudit',
      'verifyKey',
    ]);
    for (const fn of http) expect(fn.trigger['authLevel'], fn.metadata.name).toBe('function');
  });

  it.each([
    ['GET', '/api/credentials'],
    ['GET', `/api/credentials/${CREDENTIAL}`],
    ['POST', `/api/credentials/${CREDENTIAL}/rotate`],
    ['POST', `/api/credentials/${CREDENTIAL}/rollback`],
    ['GET', `/api/rotations/${CREDENTIAL}.g1`],
    ['POST', `/api/rotations/${CREDENTIAL}.g1/approval`],
    ['GET', '/api/audit/verify'],
    ['POST', '/api/keys/verify'],
  ])('refuses %s %s without a function key', async (method, path) => {
    const response = await fetch(`${h.keyturn.host.baseUrl}${path}`, { method });
    expect(response.status).toBe(401);
  });
});

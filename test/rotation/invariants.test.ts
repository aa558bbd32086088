import { afterEach, describe, expect, it } from 'vitest';

import { generate } from '../../src/rotation/activities/generate';
import { plan } from '../../src/rotation/activities/plan';
import { DAY, HOUR, MINUTE } from '../support/clock';
import { CREDENTIAL, defaultDocument, Harness } from '../support/harness';
import { acceptedAtIssuer, expectCleanRest, expectNoOutage } from '../support/invariants';
import { startStubApi, type StubApi } from '../support/servers';
import { envValue, jsonValue } from '../support/targets';

const ROTATE = `/credentials/${CREDENTIAL}/rotate`;

describe('rotation invariants', () => {
  let h: Harness | undefined;
  let stub: StubApi | undefined;
  afterEach(async () => {
    await h?.stop();
    await stub?.close();
    h = undefined;
    stub = undefined;
  });

  /** Processes one unit of work at a time, checking invariant 1 between every two. */
  async function stepWithChecks(harness: Harness): Promise<number> {
    let steps = 0;
    while (await harness.keyturn.host.tick()) {
      steps++;
      await expectNoOutage(harness, CREDENTIAL);
    }
    return steps;
  }

  it('keeps every target on an accepted key between every two steps of a rotation', async () => {
    h = await Harness.start();
    await h.api('POST', ROTATE, { reason: 'onboarding' });
    await stepWithChecks(h);
    h.clock.advance(24 * DAY);
    expect(await stepWithChecks(h)).toBeGreaterThan(10);
    h.clock.advance(12 * HOUR);
    await stepWithChecks(h);
    await expectCleanRest(h, CREDENTIAL);
  });

  it('still revokes the previous key when the grace timer comes due after a restart', async () => {
    h = await Harness.start();
    await h.api('POST', ROTATE, { reason: 'onboarding' });
    await h.drain();
    h.clock.advance(24 * DAY);
    await h.drain();
    expect(await acceptedAtIssuer(h, CREDENTIAL)).toEqual([1, 2]);

    await h.restart();
    h.clock.advance(11 * HOUR);
    await h.drain();
    expect(await acceptedAtIssuer(h, CREDENTIAL)).toEqual([1, 2]);
    h.clock.advance(1 * HOUR);
    await h.drain();
    expect(await acceptedAtIssuer(h, CREDENTIAL)).toEqual([2]);
    await expectCleanRest(h, CREDENTIAL);
  });

  it('restores every target and revokes the pending key when validation fails', async () => {
    stub = await startStubApi(200);
    const api = stub;
    h = await Harness.start({
      document: (dir, demo) => {
        const doc = defaultDocument(dir, demo);
        doc.credentials[0]?.validators.push({ kind: 'http', url: `${api.url}/probe` });
        return doc;
      },
    });
    await h.api('POST', ROTATE, { reason: 'onboarding' });
    await h.drain();
    const before = { env: envValue(h.dir), json: jsonValue(h.dir) };

    api.status = 403;
    const started = await h.api('POST', ROTATE, { reason: 'should fail validation' });
    expect(started.status).toBe(202);
    await stepWithChecks(h);

    expect({ env: envValue(h.dir), json: jsonValue(h.dir) }).toEqual(before);
    expect(await acceptedAtIssuer(h, CREDENTIAL)).toEqual([1]);
    const status = await h.api('GET', `/rotations/${CREDENTIAL}.g2`);
    expect(status.body).toMatchObject({ status: 'failed', step: 'compensated' });
    expect((status.body as { error: string }).error).toContain('answered 403');
    await expectCleanRest(h, CREDENTIAL);
    expect((await h.api('GET', '/audit/verify')).body).toMatchObject({ ok: true });
  });

  it('starts one rotation when two requests and the scan ask at the same time', async () => {
    h = await Harness.start();
    await h.api('POST', ROTATE, { reason: 'onboarding' });
    await h.drain();
    h.clock.advance(24 * DAY - 5 * MINUTE);

    const [a, b] = await Promise.all([
      h.api('POST', ROTATE, { reason: 'first caller' }),
      h.api('POST', ROTATE, { reason: 'second caller' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([202, 409]);
    expect((b.body as { rotationId: string }).rotationId).toBe((a.body as { rotationId: string }).rotationId);
    h.clock.advance(5 * MINUTE);
    await h.drain();

    const instances = await h.keyturn.host.engine.listMeta();
    expect(
      instances
        .filter((i) => i.name === 'rotateCredential')
        .map((i) => i.instanceId)
        .sort(),
    ).toEqual([`${CREDENTIAL}.g1`, `${CREDENTIAL}.g2`]);
    const generations = await h.services.credentials.getGenerations(CREDENTIAL);
    expect(generations.map((g) => g.generation)).toEqual([1, 2]);
  });

  it('takes over from a rotation that died holding the lock and revokes the key it left pending', async () => {
    h = await Harness.start();
    await h.api('POST', ROTATE, { reason: 'onboarding' });
    await h.drain();
    const abandoned = { rotationId: `${CREDENTIAL}.g2`, credentialId: CREDENTIAL, generation: 2 };
    await plan(
      {
        ...abandoned,
        trigger: 'manual',
        reason: 'dies',
        requestedBy: 'user:x',
        emergency: false,
        lockToken: 't',
      },
      h.services,
    );
    await generate(abandoned, h.services);
    expect(await acceptedAtIssuer(h, CREDENTIAL)).toEqual([1, 2]);

    h.clock.advance(2 * DAY);
    expect((await h.api('POST', ROTATE, { reason: 'the holder may still be alive' })).status).toBe(409);
    h.clock.set(new Date(Date.parse('2026-01-05T10:00:00.000Z') + 24 * DAY));
    await h.drain();
    h.clock.advance(12 * HOUR);
    await h.drain();

    const generations = await h.services.credentials.getGenerations(CREDENTIAL);
    expect(generations.find((g) => g.generation === 2)?.status).toBe('revoked');
    expect(await acceptedAtIssuer(h, CREDENTIAL)).toEqual([3]);
    await expectCleanRest(h, CREDENTIAL);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { DAY, HOUR } from '../support/clock';
import { CREDENTIAL, Harness } from '../support/harness';
import { envValue, jsonValue } from '../support/targets';

interface RotationBody {
  rotationId: string;
  statusUrl: string;
}

describe('rotation end to end on the local host', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start();
  });
  afterEach(async () => {
    await h.stop();
  });

  const verify = async (key: string | undefined) =>
    (await h.api('POST', '/keys/verify', { key: key ?? '' })).body as { valid: boolean; generation?: number };

  it('issues the first key to every target on request and reports it', async () => {
    const started = await h.api('POST', `/credentials/${CREDENTIAL}/rotate`, { reason: 'onboarding' });
    expect(started.status).toBe(202);
    const { rotationId } = started.body as RotationBody;
    expect(rotationId).toBe(`${CREDENTIAL}.g1`);
    await h.drain();

    const key = envValue(h.dir);
    expect(key).toMatch(/^kord_[0-9A-Za-z]{49}$/);
    expect(jsonValue(h.dir)).toBe(key);
    expect(await verify(key)).toMatchObject({ valid: true, generation: 1 });

    const status = await h.api('GET', `/rotations/${rotationId}`);
    expect(status.body).toMatchObject({ status: 'completed', step: 'finished', runtimeStatus: 'Completed' });
    const credential = (await h.api('GET', `/credentials/${CREDENTIAL}`)).body as {
      current: { generation: number };
      compliance: { state: string };
    };
    expect(credential.current.generation).toBe(1);
    expect(credential.compliance.state).toBe('compliant');
  });

  it('rotates on the policy scan, keeps the previous key through the grace period, then revokes it', async () => {
    await h.api('POST', `/credentials/${CREDENTIAL}/rotate`, { reason: 'onboarding' });
    await h.drain();
    const first = envValue(h.dir);

    h.clock.advance(24 * DAY);
    await h.drain();
    const second = envValue(h.dir);
    expect(second).not.toBe(first);
    expect(await verify(second)).toMatchObject({ valid: true, generation: 2 });
    expect(await verify(first)).toMatchObject({ valid: true, generation: 1 });

    h.clock.advance(12 * HOUR);
    await h.drain();
    expect(await verify(first)).toEqual({ valid: false });
    expect(await verify(second)).toMatchObject({ valid: true });

    const audit = await h.api('GET', '/audit/verify');
    expect(audit).toMatchObject({ status: 200, body: { ok: true } });
  });

  it('reports the rotation with the custom events and dimensions the workbook queries', async () => {
    await h.api('POST', `/credentials/${CREDENTIAL}/rotate`, { reason: 'onboarding' });
    await h.drain();
    const events = h.logs
      .map((line) => JSON.parse(line) as { message?: string; fields?: Record<string, unknown> })
      .filter((entry) => entry.message?.startsWith('telemetry '));
    const named = (name: string) =>
      events.filter((e) => e.message === `telemetry ${name}`).map((e) => e.fields);
    expect(named('keyturn.rotation.started')).toEqual([
      expect.objectContaining({
        credentialId: CREDENTIAL,
        rotationId: `${CREDENTIAL}.g1`,
        trigger: 'manual',
      }),
    ]);
    expect(named('keyturn.rotation.finished')).toEqual([
      expect.objectContaining({ outcome: 'completed', issuerKind: 'managed', generation: 1, durationMs: 0 }),
    ]);
    const steps = named('keyturn.rotation.step').map(
      (f) => `${String(f?.['step'])}:${String(f?.['outcome'])}`,
    );
    expect(steps).toEqual([
      'rotationPlan:succeeded',
      'rotationGenerate:succeeded',
      'rotationDistribute:succeeded',
      'rotationValidate:succeeded',
      'rotationPromote:succeeded',
      'rotationFinish:succeeded',
    ]);
  });
});

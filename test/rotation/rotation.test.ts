import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { TableAuditLog } from '../../src/storage/audit-store';
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

  it('records every state change of a rotation in the audit chain, in order, with fingerprints only', async () => {
    await h.api('POST', `/credentials/${CREDENTIAL}/rotate`, { reason: 'onboarding', requestedBy: 'alice' });
    await h.drain();
    h.clock.advance(24 * DAY);
    await h.drain();
    h.clock.advance(12 * HOUR);
    await h.drain();

    const records = [];
    for await (const record of new TableAuditLog(h.keyturn.tables).list()) records.push(record);
    const second = records.filter((r) => r.rotationId === `${CREDENTIAL}.g2`).map((r) => r.type);
    expect(second).toEqual([
      'rotation.planned',
      'key.generated',
      'key.distributing',
      'key.distributed',
      'key.distributed',
      'key.validated',
      'generation.promoted',
      'key.revoked',
      'rotation.completed',
    ]);
    const first = records.find((r) => r.rotationId === `${CREDENTIAL}.g1` && r.type === 'rotation.planned');
    expect(first).toMatchObject({ actor: 'api:alice', reason: 'onboarding' });
    const { state } = await h.services.credentials.getState(CREDENTIAL);
    expect(records.filter((r) => r.type === 'generation.promoted').at(-1)?.fingerprint).toBe(
      state?.currentFingerprint,
    );
  });
});

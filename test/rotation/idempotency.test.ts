import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { compensate } from '../../src/rotation/activities/compensate';
import { distribute } from '../../src/rotation/activities/distribute';
import { finish } from '../../src/rotation/activities/finish';
import { generate } from '../../src/rotation/activities/generate';
import { plan } from '../../src/rotation/activities/plan';
import { promote } from '../../src/rotation/activities/promote';
import { revokePrevious } from '../../src/rotation/activities/revoke';
import { planRollback, rollbackFinish, rollbackRestore } from '../../src/rotation/activities/rollback';
import { validate } from '../../src/rotation/activities/validate';
import type { RotationInput, StepInput } from '../../src/rotation/contracts';
import { DAY } from '../support/clock';
import { CREDENTIAL, Harness } from '../support/harness';
import { stateSnapshot } from '../support/snapshot';

/**
 * Durable Functions runs activities at least once. Each step here runs twice in a row with the same
 * input: the second run must return the same result and leave exactly the state the first left.
 */
describe('every activity is idempotent', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start();
    await h.api('POST', `/credentials/${CREDENTIAL}/rotate`, { reason: 'onboarding' });
    await h.drain();
    h.clock.advance(24 * DAY);
  });
  afterEach(async () => {
    await h.stop();
  });

  async function twice<T>(label: string, step: () => Promise<T>): Promise<T> {
    const first = await step();
    const afterFirst = await stateSnapshot(h, CREDENTIAL);
    const second = await step();
    expect(second, `${label} returns the same result again`).toEqual(first);
    expect(await stateSnapshot(h, CREDENTIAL), `${label} changes nothing the second time`).toEqual(
      afterFirst,
    );
    return first;
  }

  const rotation: RotationInput = {
    rotationId: `${CREDENTIAL}.g2`,
    credentialId: CREDENTIAL,
    generation: 2,
    trigger: 'manual',
    reason: 'idempotency test',
    requestedBy: 'user:tester',
    emergency: false,
  };
  const step: StepInput = { rotationId: rotation.rotationId, credentialId: CREDENTIAL, generation: 2 };

  it('holds for every step of a completed rotation', async () => {
    const s = h.services;
    expect(await twice('plan', () => plan({ ...rotation, lockToken: 'token-a' }, s))).toMatchObject({
      proceed: true,
    });
    await twice('generate', () => generate(step, s));
    await twice('distribute', () => distribute(step, s));
    await twice('validate', () => validate(step, s));
    await twice('promote', () => promote(step, s));
    await twice('revoke previous', () => revokePrevious(step, s));
    await twice('finish', () => finish({ ...step, warnings: [] }, s));
  });

  it('holds for compensation after a partial distribution', async () => {
    const s = h.services;
    await plan({ ...rotation, lockToken: 'token-b' }, s);
    await generate(step, s);
    await distribute(step, s);
    await twice('compensate', () => compensate({ ...step, error: 'validator rejected the key' }, s));
  });

  it('holds for every step of a rollback', async () => {
    const s = h.services;
    await h.api('POST', `/credentials/${CREDENTIAL}/rotate`, { reason: 'second generation' });
    await h.drain();
    h.clock.advance(1 * DAY);
    await h.drain();
    const input = {
      rollbackId: `${CREDENTIAL}.rollback.g2`,
      credentialId: CREDENTIAL,
      generation: 2,
      reason: 'idempotency test',
      requestedBy: 'user:tester',
    };
    const planned = await twice('rollback plan', () => planRollback({ ...input, lockToken: 'token-c' }, s));
    if (!planned.proceed) throw new Error(`rollback refused: ${planned.detail}`);
    const restoreStep = {
      ...input,
      restoreGeneration: planned.restoreGeneration,
      sourceRotationId: planned.sourceRotationId,
    };
    await twice('rollback restore', () => rollbackRestore(restoreStep, s));
    await twice('rollback finish', () => rollbackFinish(restoreStep, s));
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { DAY, HOUR } from '../support/clock';
import { CREDENTIAL, defaultDocument, Harness } from '../support/harness';
import { acceptedAtIssuer, expectCleanRest } from '../support/invariants';
import { envValue } from '../support/targets';

const ROTATE = `/credentials/${CREDENTIAL}/rotate`;

/** The default credential, under a policy that needs a second person's approval. */
function withApproval(dir: string, demo: string) {
  const doc = defaultDocument(dir, demo);
  Object.assign(doc.policies.standard, { requireApproval: true, approvalTimeout: 'PT8H' });
  return doc;
}

interface RotationView {
  status: string;
  step: string;
  error: string | null;
}

describe('rotations that need approval', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start({ document: withApproval });
  });
  afterEach(async () => {
    await h.stop();
  });

  const rotation = async (id = `${CREDENTIAL}.g1`) =>
    (await h.api('GET', `/rotations/${id}`)).body as RotationView;

  it('waits, changing nothing, until another person approves; then rotates', async () => {
    await h.api('POST', ROTATE, { reason: 'onboarding', requestedBy: 'alice' });
    await h.drain();
    expect(await rotation()).toMatchObject({ status: 'running', step: 'awaiting-approval' });
    expect(envValue(h.dir)).toBeUndefined();
    expect(await acceptedAtIssuer(h, CREDENTIAL)).toEqual([]);

    const self = await h.api('POST', `/rotations/${CREDENTIAL}.g1/approval`, {
      approve: true,
      approvedBy: 'alice',
    });
    expect(self.status).toBe(409);

    const approved = await h.api('POST', `/rotations/${CREDENTIAL}.g1/approval`, {
      approve: true,
      approvedBy: 'bob',
      comment: 'change ticket 1234',
    });
    expect(approved.status).toBe(202);
    await h.drain();
    expect(await rotation()).toMatchObject({ status: 'completed' });
    expect(envValue(h.dir)).toMatch(/^kord_/);
    await expectCleanRest(h, CREDENTIAL);
  });

  it('ends with nothing changed and the credential unlocked when the approver rejects it', async () => {
    await h.api('POST', ROTATE, { reason: 'onboarding', requestedBy: 'alice' });
    await h.drain();
    await h.api('POST', `/rotations/${CREDENTIAL}.g1/approval`, {
      approve: false,
      approvedBy: 'bob',
      comment: 'not now',
    });
    await h.drain();
    expect(await rotation()).toMatchObject({
      status: 'skipped',
      step: 'declined',
      error: 'not approved by api:bob: not now',
    });
    expect(envValue(h.dir)).toBeUndefined();
    const again = await h.api('POST', ROTATE, { reason: 'second try', requestedBy: 'alice' });
    expect(again.status).toBe(202);
  });

  it('declines the rotation when nobody decides before the deadline', async () => {
    await h.api('POST', ROTATE, { reason: 'onboarding', requestedBy: 'alice' });
    await h.drain();
    h.clock.advance(8 * HOUR);
    await h.drain();
    expect(await rotation()).toMatchObject({ status: 'skipped', step: 'declined' });
    expect((await rotation()).error).toContain('approval deadline');
    const late = await h.api('POST', `/rotations/${CREDENTIAL}.g1/approval`, {
      approve: true,
      approvedBy: 'bob',
    });
    expect(late.status).toBe(409);
  });

  it('holds scheduled rotations for approval too', async () => {
    await h.api('POST', ROTATE, { reason: 'onboarding', requestedBy: 'alice' });
    await h.drain();
    await h.api('POST', `/rotations/${CREDENTIAL}.g1/approval`, { approve: true, approvedBy: 'bob' });
    await h.drain();
    h.clock.advance(24 * DAY);
    await h.drain();
    expect(await rotation(`${CREDENTIAL}.g2`)).toMatchObject({
      status: 'running',
      step: 'awaiting-approval',
    });
    await h.api('POST', `/rotations/${CREDENTIAL}.g2/approval`, { approve: true, approvedBy: 'carol' });
    await h.drain();
    expect(await rotation(`${CREDENTIAL}.g2`)).toMatchObject({ status: 'running', step: 'promoted' });
  });
});

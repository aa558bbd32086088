import { describe, expect, it } from 'vitest';

import { DAY, HOUR } from '../support/clock';
import { crashingAudit, crashingTaskHub, CrashSwitch, ProcessCrashed } from '../support/crash';
import { CREDENTIAL, Harness } from '../support/harness';
import { expectCleanRest, expectNoOutage } from '../support/invariants';

const ROTATE = `/credentials/${CREDENTIAL}/rotate`;

/** Starts a harness whose durable writes (task hub and audit) all pass through `crash`. */
async function crashable(crash: CrashSwitch): Promise<Harness> {
  const h = await Harness.start({
    taskHub: (store) => crashingTaskHub(store, crash),
    audit: (log) => crashingAudit(log, crash),
  });
  await h.api('POST', ROTATE, { reason: 'onboarding' });
  await h.drain();
  h.clock.advance(24 * DAY);
  return h;
}

/** Runs the second rotation until the crash (or the end), as the dying process would. */
async function runUntilCrash(h: Harness): Promise<boolean> {
  try {
    const response = await h.api('POST', ROTATE, { reason: 'scheduled by test' });
    if (response.status >= 500) return true;
    await h.drain();
    h.clock.advance(12 * HOUR);
    await h.drain();
    return false;
  } catch (error) {
    if (error instanceof ProcessCrashed) return true;
    throw error;
  }
}

describe('crash and restart at every durable write of a rotation', () => {
  it('resumes or compensates with no outage and no orphan key, wherever the process dies', async () => {
    const counter = new CrashSwitch();
    const probe = await crashable(counter);
    counter.arm(Number.POSITIVE_INFINITY);
    expect(await runUntilCrash(probe)).toBe(false);
    const writes = counter.writes;
    await probe.stop();
    expect(writes).toBeGreaterThan(20);

    for (let at = 1; at <= writes; at++) {
      const crash = new CrashSwitch();
      const h = await crashable(crash);
      try {
        crash.arm(at);
        expect(await runUntilCrash(h), `write ${at} of ${writes} crashes`).toBe(true);
        await expectNoOutage(h, CREDENTIAL);

        await h.restart({ taskHub: undefined, audit: undefined });
        await h.drain();
        const { state } = await h.services.credentials.getState(CREDENTIAL);
        if (state?.lockRotationId === undefined && state?.currentGeneration === 1) {
          // The crash came before the rotation was started or planned: ask again.
          await h.api('POST', ROTATE, { reason: 'after restart' });
          await h.drain();
        }
        await expectNoOutage(h, CREDENTIAL);
        h.clock.advance(13 * HOUR);
        await h.drain();

        await expectNoOutage(h, CREDENTIAL);
        await expectCleanRest(h, CREDENTIAL);
        const after = await h.services.credentials.getState(CREDENTIAL);
        expect(after.state?.currentGeneration, `after a crash at write ${at}`).toBe(2);
        expect((await h.api('GET', '/audit/verify')).body).toMatchObject({ ok: true });
      } finally {
        await h.stop();
      }
    }
  }, 600_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DAY, HOUR, MINUTE } from '../support/clock';
import { CREDENTIAL, defaultDocument, Harness } from '../support/harness';
import { allStoredRows, expectNoKeyIn } from '../support/leaks';
import { startStubApi, type StubApi } from '../support/servers';
import { envValue } from '../support/targets';

/**
 * Invariant 4. A credential goes through issuance, a scheduled rotation with grace and revocation,
 * a failed (compensated) rotation and a rollback. Every key value that ever reached a target is
 * then searched for, raw and encoded, everywhere except the targets themselves.
 */
describe('no secret value leaves the places meant to hold it', () => {
  let h: Harness;
  let probe: StubApi;
  const keys = new Set<string>();

  const run = async (): Promise<void> => {
    while (await h.keyturn.host.tick()) {
      const value = envValue(h.dir);
      if (value) keys.add(value);
    }
  };

  beforeAll(async () => {
    probe = await startStubApi(200);
    const api = probe;
    h = await Harness.start({
      document: (dir, demo) => {
        const doc = defaultDocument(dir, demo);
        doc.credentials[0]?.validators.push({ kind: 'http', url: `${api.url}/probe` });
        return doc;
      },
    });
    await h.api('POST', `/credentials/${CREDENTIAL}/rotate`, { reason: 'onboarding' });
    await run();
    h.clock.advance(24 * DAY);
    await run();
    h.clock.advance(12 * HOUR);
    await run();
    probe.status = 401;
    await h.api('POST', `/credentials/${CREDENTIAL}/rotate`, { reason: 'this one fails', emergency: true });
    await run();
    probe.status = 200;
    await h.api('POST', `/credentials/${CREDENTIAL}/rollback`, { reason: 'back to the previous key' });
    await run();
    h.clock.advance(5 * MINUTE);
    await run();
    for (const id of [
      `${CREDENTIAL}.g1`,
      `${CREDENTIAL}.g2`,
      `${CREDENTIAL}.g3`,
      `${CREDENTIAL}.rollback.g2`,
    ]) {
      await h.api('GET', `/rotations/${id}`);
    }
    await h.api('GET', `/credentials/${CREDENTIAL}`);
    await h.api('GET', '/credentials');
    await h.api('GET', '/audit/verify');
  }, 120_000);
  afterAll(async () => {
    await h.stop();
    await probe.close();
  });

  it('went through every path it claims to cover', async () => {
    expect(keys.size).toBe(3);
    const rotations = (await h.api('GET', `/credentials/${CREDENTIAL}`)).body as {
      rotations: { rotationId: string; status: string }[];
    };
    expect(Object.fromEntries(rotations.rotations.map((r) => [r.rotationId, r.status]))).toEqual({
      [`${CREDENTIAL}.g1`]: 'completed',
      [`${CREDENTIAL}.g2`]: 'rolled-back',
      [`${CREDENTIAL}.g3`]: 'failed',
      [`${CREDENTIAL}.rollback.g2`]: 'completed',
    });
  });

  it('never writes a key into a table row: inventory, audit, issuer, orchestration history', async () => {
    const rows = await allStoredRows(h);
    expect(rows.some((r) => r.includes('TaskHub'))).toBe(true);
    expectNoKeyIn(rows, [...keys], 'Table Storage');
  });

  it('never logs a key', () => {
    expect(h.logs.length).toBeGreaterThan(0);
    expectNoKeyIn(h.logs, [...keys], 'the logs');
  });

  it('never returns a key in an API response, including the orchestration status with history', async () => {
    for (const id of [`${CREDENTIAL}.g2`, `${CREDENTIAL}.g3`]) {
      const response = await fetch(
        `${h.keyturn.host.baseUrl}/runtime/webhooks/durabletask/instances/${id}?showHistory=true&showHistoryOutput=true&showInput=true`,
        { headers: { 'x-functions-key': h.keys.masterKey } },
      );
      expect(response.ok).toBe(true);
      h.responses.push(await response.text());
    }
    expectNoKeyIn(h.responses, [...keys], 'API responses');
  });
});

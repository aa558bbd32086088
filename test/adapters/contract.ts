import { inspect } from 'node:util';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { RotationContext, Target, TargetSnapshot } from '../../src/adapters/ports';
import { KeyturnError } from '../../src/core/errors';
import { SecretValue } from '../../src/core/secret';

/** Injects faults into the requests one target makes to its service. */
export interface TargetFaults {
  /** 429 in the service's shape, with Retry-After (seconds) and, where the service sends it, retry-after-ms. */
  throttle(options: { times: number; retryAfterSeconds: number }): void;
  /** 500 in the service's shape. */
  serverError(options: { times: number }): void;
  /** A 4xx that no retry fixes (403: keyturn's identity lacks the role). */
  forbid(): void;
}

/** One target wired to its emulator (or its real medium), and what the contract needs to watch it. */
export interface TargetFixture {
  readonly target: Target;
  /** Changes whenever the service accepted a write; equal before and after means "no write". */
  writeMarker(): Promise<string> | string;
  /** Puts a value where the target reads, as someone before keyturn would have. */
  seed(value: string): Promise<void> | void;
  /** A word every error about this target must name (the secret, key-value, site, file…). */
  readonly resourceName: string;
  /** Absent where the medium has no service faults (a local file). */
  readonly faults?: TargetFaults;
  stop(): Promise<void>;
}

export const contractContext: RotationContext = {
  credentialId: 'orders-api-key',
  generation: 2,
  rotationId: 'orders-api-key.g2',
  fingerprint: 'fp_contract-generation-2',
  expiresAt: new Date('2027-01-01T00:00:00.000Z'),
};

export const OLD_KEY = 'old-key-Xq7rTz0PL3wA9mB2vC5nD8';
export const NEW_KEY = 'new-key-Kd2Hs9Lw4Qp7Zt1Vb6Nm3R';

function valueOf(snapshot: TargetSnapshot): string | undefined {
  return snapshot.state === 'present' ? snapshot.value.reveal() : undefined;
}

/**
 * The one suite every target passes: it writes and reads back, writes nothing when it already
 * holds the key, restores what it held (or its absence), and recovers from throttling and 5xx
 * while failing clearly, without retry, on a permanent error.
 */
export function describeTargetContract(
  name: string,
  setup: () => Promise<TargetFixture>,
  medium: { readonly serviceFaults: boolean } = { serviceFaults: true },
): void {
  // A medium without a service (a local file) has no throttling or 5xx to recover from: those
  // cases are not registered for it rather than skipped at run time.
  const describeFaults = (title: string, cases: () => void): void => {
    if (medium.serviceFaults) describe(title, cases);
  };
  const faultsOf = (fixture: TargetFixture): TargetFaults => {
    if (!fixture.faults) throw new Error(`${name} declares service faults but its fixture has none`);
    return fixture.faults;
  };
  describe(`${name} target contract`, () => {
    let fixture: TargetFixture;
    beforeEach(async () => {
      fixture = await setup();
    });
    afterEach(async () => {
      await fixture.stop();
    });

    describe('happy path', () => {
      it('reads back the key it wrote', async () => {
        const result = await fixture.target.write(new SecretValue(NEW_KEY), contractContext);

        expect(result).toEqual({ written: true });
        expect(valueOf(await fixture.target.read())).toBe(NEW_KEY);
      });

      it('writes nothing when it already holds the key (zero service writes)', async () => {
        await fixture.target.write(new SecretValue(NEW_KEY), contractContext);
        const before = await fixture.writeMarker();

        const again = await fixture.target.write(new SecretValue(NEW_KEY), contractContext);

        expect(again).toEqual({ written: false });
        expect(await fixture.writeMarker()).toBe(before);
      });

      it('restores the key it held before the write', async () => {
        await fixture.seed(OLD_KEY);
        const before = await fixture.target.read();
        await fixture.target.write(new SecretValue(NEW_KEY), contractContext);

        await fixture.target.restore(before, contractContext);

        expect(valueOf(await fixture.target.read())).toBe(OLD_KEY);
      });

      it('restores absence when it held nothing before the write', async () => {
        const before = await fixture.target.read();
        expect(before.state).toBe('absent');
        await fixture.target.write(new SecretValue(NEW_KEY), contractContext);

        await fixture.target.restore(before, contractContext);

        expect((await fixture.target.read()).state).toBe('absent');
      });

      it('restores a second time without writing', async () => {
        await fixture.seed(OLD_KEY);
        const before = await fixture.target.read();
        await fixture.target.write(new SecretValue(NEW_KEY), contractContext);
        await fixture.target.restore(before, contractContext);
        const marker = await fixture.writeMarker();

        const again = await fixture.target.restore(before, contractContext);

        expect(again).toEqual({ written: false });
        expect(await fixture.writeMarker()).toBe(marker);
      });
    });

    describeFaults('faults', () => {
      it('recovers from throttling that names a Retry-After', async () => {
        faultsOf(fixture).throttle({ times: 2, retryAfterSeconds: 0 });

        await fixture.target.write(new SecretValue(NEW_KEY), contractContext);

        expect(valueOf(await fixture.target.read())).toBe(NEW_KEY);
      });

      it('recovers from transient 500s', async () => {
        faultsOf(fixture).serverError({ times: 2 });

        await fixture.target.write(new SecretValue(NEW_KEY), contractContext);

        expect(valueOf(await fixture.target.read())).toBe(NEW_KEY);
      });

      it('fails as retryable, without waiting, when throttled for longer than it may wait in a step', async () => {
        faultsOf(fixture).throttle({ times: 50, retryAfterSeconds: 3600 });
        const started = Date.now();

        const failure = await fixture.target
          .write(new SecretValue(NEW_KEY), contractContext)
          .catch((e: unknown) => e);

        expect(failure).toBeInstanceOf(KeyturnError);
        expect(failure).toMatchObject({ kind: 'throttled', retryable: true });
        expect((failure as Error).message).toContain(fixture.resourceName);
        expect(Date.now() - started).toBeLessThan(10_000);
      });

      it('fails without retry on a permanent error, naming the resource and the cause', async () => {
        faultsOf(fixture).forbid();

        const failure = await fixture.target
          .write(new SecretValue(NEW_KEY), contractContext)
          .catch((e: unknown) => e);

        expect(failure).toBeInstanceOf(KeyturnError);
        expect(failure).toMatchObject({ kind: 'forbidden', retryable: false });
        expect((failure as Error).message).toContain(fixture.resourceName);
        expect((failure as Error).message).toMatch(/403/);
      });
    });

    describeFaults('security', () => {
      it('keeps the key out of every failure it reports, cause included', async () => {
        faultsOf(fixture).forbid();

        const failure = await fixture.target
          .write(new SecretValue(NEW_KEY), contractContext)
          .catch((e: unknown) => e);

        expect(inspect(failure, { depth: 20 })).not.toContain(NEW_KEY);
        expect(JSON.stringify(failure)).not.toContain(NEW_KEY);
      });

      it('never shows the key when a snapshot is printed or serialized', async () => {
        await fixture.target.write(new SecretValue(NEW_KEY), contractContext);

        const snapshot = await fixture.target.read();

        expect(JSON.stringify(snapshot)).not.toContain(NEW_KEY);
        expect(inspect(snapshot, { depth: 20 })).not.toContain(NEW_KEY);
      });
    });
  });
}

import { randomBytes } from 'node:crypto';

import { beforeEach, describe, expect, it } from 'vitest';

import { ManagedIssuer } from '../../../src/adapters/issuers/managed/issuer';
import { ManagedKeyStore } from '../../../src/adapters/issuers/managed/key-store';
import { ManagedKeyVerifier } from '../../../src/adapters/issuers/managed/verifier';
import type { PendingStash } from '../../../src/adapters/ports';
import type { SecretValue } from '../../../src/core/secret';
import { Keyring } from '../../../src/crypto/keyring';
import { ManualClock, MINUTE } from '../../support/clock';
import { tableClient, uniqueTableName } from '../../support/tables';

/** A stash that keeps the value in memory, as the sealed inventory row does. */
function memoryStash(): PendingStash & { value?: SecretValue } {
  const stash: PendingStash & { value?: SecretValue } = {
    async getOrCreate(create) {
      stash.value ??= await create();
      return stash.value;
    },
  };
  return stash;
}

describe('managed issuer', () => {
  let clock: ManualClock;
  let store: ManagedKeyStore;
  let verifier: ManagedKeyVerifier;
  let issuer: ManagedIssuer;
  let writes: number;

  beforeEach(async () => {
    clock = new ManualClock();
    const table = tableClient(uniqueTableName('mk'));
    await table.createTable();
    writes = 0;
    const counting = new Proxy(table, {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver);
        if (property === 'upsertEntity' && typeof value === 'function') {
          return (...args: unknown[]) => {
            writes++;
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const keyring = new Keyring(randomBytes(32));
    store = new ManagedKeyStore(counting);
    verifier = new ManagedKeyVerifier(store, keyring, clock, {
      cacheTtlMs: 30_000,
      usageResolutionMs: MINUTE,
    });
    issuer = new ManagedIssuer('kord', store, keyring, verifier, clock);
  });

  const ref = (generation: number) => ({
    credentialId: 'orders',
    generation,
    rotationId: `orders.g${generation}`,
  });

  it('accepts pending, current and previous keys, and refuses revoked ones at once', async () => {
    const first = await issuer.issue(ref(1), memoryStash());
    expect(await verifier.verify(first.reveal())).toMatchObject({
      valid: true,
      status: 'pending',
      generation: 1,
    });
    await issuer.activate(ref(1));
    const second = await issuer.issue(ref(2), memoryStash());
    await issuer.activate({ ...ref(2), previousGeneration: 1 });
    expect(await verifier.verify(first.reveal())).toMatchObject({ valid: true, status: 'previous' });
    expect(await verifier.verify(second.reveal())).toMatchObject({ valid: true, status: 'current' });
    await issuer.revoke(ref(1));
    expect(await verifier.verify(first.reveal())).toEqual({ valid: false });
    await issuer.reactivate(ref(1));
    expect(await verifier.verify(first.reveal())).toMatchObject({ valid: true });
  });

  it('issues the same key again when the step is retried', async () => {
    const stash = memoryStash();
    const a = await issuer.issue(ref(1), stash);
    const b = await issuer.issue(ref(1), stash);
    expect(a.equals(b)).toBe(true);
  });

  it('refuses a second, different key for a generation', async () => {
    await issuer.issue(ref(1), memoryStash());
    await expect(issuer.issue(ref(1), memoryStash())).rejects.toMatchObject({ kind: 'conflict' });
  });

  it('records when a key was last used, at most once per minute', async () => {
    const key = await issuer.issue(ref(1), memoryStash());
    const before = writes;
    for (let i = 0; i < 50; i++) await verifier.verify(key.reveal());
    expect(writes - before).toBe(1);
    clock.advance(MINUTE);
    await verifier.verify(key.reveal());
    expect(writes - before).toBe(2);
  });

  it('refuses look-alikes without reading storage, and unknown well-formed keys after one lookup', async () => {
    const before = writes;
    expect(await verifier.verify('kord_not-a-key')).toEqual({ valid: false });
    expect(await verifier.verify('kord_' + 'A'.repeat(49))).toEqual({ valid: false });
    expect(writes).toBe(before);
  });
});

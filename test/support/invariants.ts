import { expect } from 'vitest';

import { TableRole } from '../../src/storage/tables';
import type { Harness } from './harness';

export interface TargetHolding {
  readonly target: string;
  readonly fingerprint: string | undefined;
  readonly accepted: boolean;
}

/** What every target of a credential holds now, and whether its issuer accepts it. */
export async function holdings(h: Harness, credentialId: string): Promise<TargetHolding[]> {
  const services = h.services;
  const credential = services.config.credential(credentialId);
  if (!credential) throw new Error(`unknown credential ${credentialId}`);
  const issuer = services.issuerFor(credential);
  const result: TargetHolding[] = [];
  for (const target of services.targetsFor(credential)) {
    const snapshot = await target.read();
    if (snapshot.state === 'absent') {
      result.push({ target: target.id, fingerprint: undefined, accepted: false });
    } else {
      result.push({
        target: target.id,
        fingerprint: services.keyring.fingerprint(snapshot.value),
        accepted: (await issuer.accepts?.(snapshot.value)) ?? true,
      });
    }
  }
  return result;
}

/**
 * Invariant 1, no outage: once a credential has a key, every target holds a key its issuer
 * accepts. Before the first issuance the targets may hold nothing.
 */
export async function expectNoOutage(h: Harness, credentialId: string): Promise<void> {
  const { state } = await h.services.credentials.getState(credentialId);
  const held = await holdings(h, credentialId);
  if (state?.currentGeneration === undefined && held.every((t) => t.fingerprint === undefined)) return;
  for (const t of held)
    expect(t, `target ${t.target} holds a key its issuer accepts`).toMatchObject({ accepted: true });
}

/**
 * Invariants 2 and 3 at rest (no rotation in flight): no target holds a revoked key, and the issuer
 * accepts exactly the current key (and the previous one while its grace period runs).
 */
export async function expectCleanRest(h: Harness, credentialId: string): Promise<void> {
  const { state } = await h.services.credentials.getState(credentialId);
  expect(state?.lockRotationId, 'no rotation holds the credential').toBeUndefined();
  const generations = await h.services.credentials.getGenerations(credentialId);
  const held = new Set((await holdings(h, credentialId)).map((t) => t.fingerprint));
  for (const g of generations.filter((x) => x.status === 'revoked')) {
    expect(held.has(g.fingerprint), `revoked generation ${g.generation} is held by no target`).toBe(false);
  }
  const live = generations
    .filter((g) => g.status !== 'revoked')
    .map((g) => g.generation)
    .sort((a, b) => a - b);
  const expected = [state?.previousGeneration, state?.currentGeneration]
    .filter((g): g is number => g !== undefined)
    .sort((a, b) => a - b);
  expect(live, 'only current (and previous) generations are live').toEqual(expected);
  expect(await acceptedAtIssuer(h, credentialId), 'the issuer accepts only those generations').toEqual(
    expected,
  );
}

/** Generations whose keys the managed issuer would accept, read from its own table. */
export async function acceptedAtIssuer(h: Harness, credentialId: string): Promise<number[]> {
  const table = h.keyturn.tables.table(TableRole.ManagedKeys);
  const accepted: number[] = [];
  for await (const row of table.listEntities<{
    credentialId?: string;
    generation?: number;
    status?: string;
  }>()) {
    if (row.credentialId === credentialId && row.status !== 'revoked' && row.generation !== undefined) {
      accepted.push(row.generation);
    }
  }
  return accepted.sort((a, b) => a - b);
}

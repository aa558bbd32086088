import { createHash } from 'node:crypto';

import fc from 'fast-check';

import {
  type AuditEntry,
  AuditEventType,
  type AuditRecord,
  EMPTY_HEAD,
  sealRecords,
} from '../../src/core/audit';

/** fast-check seed for every property in this folder, so a failure reproduces (goal E1). */
export const SEED = 0x6b6579;

const T0 = Date.parse('2026-01-05T10:00:00.000Z');

export function fingerprintOf(value: string): string {
  return `fp_${createHash('sha256').update(value).digest('base64url').slice(0, 16)}`;
}

/** A realistic distribution event; `i` makes it unique. */
export function entry(i: number, overrides: Partial<AuditEntry> = {}): AuditEntry {
  const rotationId = `rot-${String(Math.floor(i / 8)).padStart(6, '0')}`;
  return {
    eventId: `${rotationId}/distribute/${i}`,
    type: AuditEventType.KeyDistributed,
    at: new Date(T0 + i * 1_000).toISOString(),
    actor: 'system:orchestrator',
    credentialId: `payments-api-${i % 13}`,
    rotationId,
    generation: 1 + (i % 5),
    fingerprint: fingerprintOf(String(i)),
    outcome: 'succeeded',
    details: {
      target: `key-vault:https://kv-${i % 3}.vault.azure.net/secrets/app-key`,
      written: i % 2 === 0,
      attempt: 1,
    },
    ...overrides,
  };
}

export function entries(count: number, from = 0): AuditEntry[] {
  return Array.from({ length: count }, (_, i) => entry(from + i));
}

export function chainOf(count: number): Promise<AuditRecord[]> {
  return sealRecords(EMPTY_HEAD, entries(count));
}

// Strings drawn from a small alphabet with multi-byte and astral characters, so canonical JSON
// and Table Storage round trips are exercised without producing text the guard refuses.
const text = (maxLength: number): fc.Arbitrary<string> =>
  fc.string({
    unit: fc.constantFrom(...['a', 'Z', '0', '7', '-', '_', '.', '/', ':', ' ', 'é', '€', '😀', '"', '\\']),
    minLength: 1,
    maxLength,
  });

const detailValue = fc.oneof(
  text(40),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
);

/** Any entry the guard accepts; `id` keeps eventIds unique within a chain. */
export const entryArbitrary = (id: fc.Arbitrary<string> = fc.uuid()): fc.Arbitrary<AuditEntry> =>
  fc.record(
    {
      eventId: id,
      type: fc.constantFrom(...Object.values(AuditEventType)),
      at: fc
        .date({
          min: new Date('2020-01-01T00:00:00Z'),
          max: new Date('2040-01-01T00:00:00Z'),
          noInvalidDate: true,
        })
        .map((date) => date.toISOString()),
      actor: text(30),
      credentialId: text(30),
      rotationId: fc.uuid(),
      generation: fc.nat(1_000),
      fingerprint: fc
        .string({
          unit: fc.constantFrom(...['a', 'b', 'X', 'Z', '0', '9', '_', '-']),
          minLength: 16,
          maxLength: 16,
        })
        .map((s) => `fp_${s}`),
      outcome: fc.constantFrom('succeeded', 'failed', 'skipped'),
      reason: text(80),
      details: fc.dictionary(
        fc.constantFrom('target', 'kind', 'attempt', 'written', 'ratio', 'version'),
        detailValue,
        {
          maxKeys: 6,
        },
      ),
    },
    { requiredKeys: ['eventId', 'type', 'at', 'actor'] },
  );

export const chainEntriesArbitrary = (maxLength: number): fc.Arbitrary<AuditEntry[]> =>
  fc
    .array(entryArbitrary(), { minLength: 0, maxLength })
    .map((list) => list.map((item, i) => ({ ...item, eventId: `${item.eventId}/${i}` })));

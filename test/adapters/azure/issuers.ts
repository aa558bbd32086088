import { randomBytes } from 'node:crypto';

import type { AzureContext } from '../../../src/adapters/azure/context';
import { issuerAdapters } from '../../../src/adapters/issuers/registry';
import type {
  GenerationEntry,
  GenerationLedger,
  IssuerDependencies,
} from '../../../src/adapters/issuers/types';
import type { Issuer, PendingStash } from '../../../src/adapters/ports';
import { configSchema, type IssuerConfig } from '../../../src/config/schema';
import { SecretValue } from '../../../src/core/secret';
import { Keyring } from '../../../src/crypto/keyring';
import { ManualClock } from '../../support/clock';

/** What the inventory would record of each generation, kept in memory. */
export class MemoryLedger implements GenerationLedger {
  readonly entries: GenerationEntry[] = [];

  generations(): Promise<readonly GenerationEntry[]> {
    return Promise.resolve([...this.entries]);
  }

  record(
    generation: number,
    fingerprint: string,
    status: GenerationEntry['status'],
    activated = false,
  ): void {
    const index = this.entries.findIndex((e) => e.generation === generation);
    const entry = {
      generation,
      fingerprint,
      status,
      ...(activated && { activatedAt: '2026-01-05T10:00:00.000Z' }),
    };
    if (index < 0) this.entries.push(entry);
    else this.entries[index] = entry;
  }
}

/** A stash that keeps the first key it is given, as the sealed pending key does. */
export function memoryStash(): PendingStash & { readonly created: () => number } {
  let kept: SecretValue | undefined;
  let created = 0;
  return {
    async getOrCreate(create) {
      if (kept === undefined) {
        created++;
        kept = await create();
      }
      return kept;
    },
    created: () => created,
  };
}

export const keyring = new Keyring(randomBytes(32));
export const fingerprint = (value: string): string => keyring.fingerprint(new SecretValue(value));

/** An issuer built as the engine builds it: its configuration parsed by the configuration schema. */
export function createIssuer(
  config: Record<string, unknown>,
  azure: AzureContext,
  ledger: GenerationLedger,
): Issuer {
  const parsed = configSchema.parse({
    version: 1,
    policies: {},
    issuers: { subject: config },
    credentials: [],
  });
  const issuerConfig = parsed.issuers['subject'] as IssuerConfig;
  const adapter = issuerAdapters[issuerConfig.kind] as {
    create(c: IssuerConfig, d: IssuerDependencies): Issuer;
  };
  // Azure issuers use only these; the managed issuer's stores stay out of it.
  const deps = {
    clock: new ManualClock(),
    keyring,
    generations: ledger,
    azure,
  } as Partial<IssuerDependencies>;
  return adapter.create(issuerConfig, deps as IssuerDependencies);
}

export const ref = (generation: number) => ({
  credentialId: 'orders-api-key',
  generation,
  rotationId: `orders-api-key.g${generation}`,
});

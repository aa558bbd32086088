import type { z } from 'zod';

import type { Clock } from '../../core/clock';
import type { Keyring } from '../../crypto/keyring';
import type { AzureContext } from '../azure/context';
import type { Issuer } from '../ports';
import type { ManagedKeyStore } from './managed/key-store';
import type { ManagedKeyVerifier } from './managed/verifier';

/** Services an issuer factory may draw on. */
export interface IssuerDependencies {
  readonly clock: Clock;
  readonly keyring: Keyring;
  readonly managedKeys: ManagedKeyStore;
  readonly verifier: ManagedKeyVerifier;
  /** How Azure issuers reach Azure (credential, cloud, client options); composition supplies it. */
  readonly azure?: AzureContext;
  /** What keyturn recorded of each generation, for issuers that keep no state of their own. */
  readonly generations?: GenerationLedger;
}

/** A generation as keyturn's inventory records it: its key's fingerprint and where it stands. */
export interface GenerationEntry {
  readonly generation: number;
  readonly fingerprint: string;
  readonly status: 'pending' | 'current' | 'previous' | 'revoked';
  /** When it first became current; absent for a generation that never did. */
  readonly activatedAt?: string | undefined;
}

/** Read access to the inventory's generation records of a credential. */
export interface GenerationLedger {
  generations(credentialId: string): Promise<readonly GenerationEntry[]>;
}

/** One kind of issuer: its configuration schema and its factory. */
export interface IssuerAdapter<S extends z.ZodType = z.ZodType> {
  readonly kind: string;
  readonly schema: S;
  /** The issuer's keys live in one resource whose key slots one credential must own alone. */
  readonly singleCredential?: boolean;
  create(config: z.infer<S>, deps: IssuerDependencies): Issuer;
}

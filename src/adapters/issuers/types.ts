import type { z } from 'zod';

import type { Clock } from '../../core/clock';
import type { Keyring } from '../../crypto/keyring';
import type { Issuer } from '../ports';
import type { ManagedKeyStore } from './managed/key-store';
import type { ManagedKeyVerifier } from './managed/verifier';

/** Services an issuer factory may draw on. */
export interface IssuerDependencies {
  readonly clock: Clock;
  readonly keyring: Keyring;
  readonly managedKeys: ManagedKeyStore;
  readonly verifier: ManagedKeyVerifier;
}

/** One kind of issuer: its configuration schema and its factory. */
export interface IssuerAdapter<S extends z.ZodType = z.ZodType> {
  readonly kind: string;
  readonly schema: S;
  create(config: z.infer<S>, deps: IssuerDependencies): Issuer;
}

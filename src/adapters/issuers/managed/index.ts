import type { IssuerAdapter } from '../types';
import { ManagedIssuer } from './issuer';
import { managedIssuerSchema } from './schema';

export const managedIssuerAdapter = {
  kind: 'managed',
  schema: managedIssuerSchema,
  create: (config, deps) =>
    new ManagedIssuer(config.prefix, deps.managedKeys, deps.keyring, deps.verifier, deps.clock),
} satisfies IssuerAdapter<typeof managedIssuerSchema>;

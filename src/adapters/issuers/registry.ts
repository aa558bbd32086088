import { managedIssuerAdapter } from './managed';

/** Every issuer kind keyturn knows. A new issuer is one folder and one line here. */
export const issuerAdapters = {
  managed: managedIssuerAdapter,
} as const;

export type IssuerKind = keyof typeof issuerAdapters;

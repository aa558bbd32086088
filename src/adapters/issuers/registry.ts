import { azureDualKeyIssuerAdapter } from './azure-dual-key';
import { functionAppKeyIssuerAdapter } from './function-app-key';
import { managedIssuerAdapter } from './managed';

/** Every issuer kind keyturn knows. A new issuer is one folder and one line here. */
export const issuerAdapters = {
  managed: managedIssuerAdapter,
  'azure-dual-key': azureDualKeyIssuerAdapter,
  'function-app-key': functionAppKeyIssuerAdapter,
} as const;

export type IssuerKind = keyof typeof issuerAdapters;

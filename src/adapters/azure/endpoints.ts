import { z } from 'zod';

import { appConfigurationDnsSuffixes, keyVaultDnsSuffixes } from './cloud';

// Vault names: 3-24 letters, digits and dashes, starting with a letter, ending with a letter or
// digit, no two dashes in a row.
const vaultName = /^(?!.*--)[a-z][a-z0-9-]{1,22}[a-z0-9]$/i;
// App Configuration store names: 5-50 letters, digits and dashes, no leading or trailing dash.
const storeName = /^(?!.*--)[a-z0-9][a-z0-9-]{3,48}[a-z0-9]$/i;

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const suffixPattern = (suffixes: readonly string[]): string => suffixes.map(escape).join('|');

const vaultUrl = new RegExp(`^https://([^./]+)\\.(${suffixPattern(keyVaultDnsSuffixes)})/?$`, 'i');
const storeUrl = new RegExp(`^https://([^./]+)\\.(${suffixPattern(appConfigurationDnsSuffixes)})/?$`, 'i');

/** `https://<vault>.vault.azure.net` (or a sovereign cloud's suffix), normalised to lower case without a slash. */
export const vaultUrlSchema = z
  .string()
  .refine(
    (url) => {
      const match = vaultUrl.exec(url);
      return match !== null && vaultName.test(match[1] ?? '');
    },
    `must be a Key Vault URL such as https://<vault>.vault.azure.net (sovereign clouds: ${keyVaultDnsSuffixes.slice(1).join(', ')}), with a 3-24 character vault name and no path`,
  )
  .transform((url) => url.replace(/\/$/, '').toLowerCase());

/** Key Vault object names: 1-127 letters, digits and dashes. */
export const secretNameSchema = z
  .string()
  .regex(/^[0-9a-zA-Z-]{1,127}$/, 'must be 1-127 letters, digits or dashes (a Key Vault secret name)');

/** `https://<store>.azconfig.io` (or a sovereign cloud's suffix), normalised like vault URLs. */
export const appConfigurationEndpointSchema = z
  .string()
  .refine(
    (url) => {
      const match = storeUrl.exec(url);
      return match !== null && storeName.test(match[1] ?? '');
    },
    `must be an App Configuration endpoint such as https://<store>.azconfig.io (sovereign clouds: ${appConfigurationDnsSuffixes.slice(1).join(', ')}), without a path`,
  )
  .transform((url) => url.replace(/\/$/, '').toLowerCase());

/** A Key Vault secret URI as references carry it: `https://<vault>.<suffix>/secrets/<name>[/<version>]`. */
export interface SecretUri {
  readonly vaultUrl: string;
  readonly name: string;
  readonly version?: string;
}

export function parseSecretUri(uri: string): SecretUri | undefined {
  const match = new RegExp(
    `^(https://[^./]+\\.(?:${suffixPattern(keyVaultDnsSuffixes)}))(?::443)?/secrets/([0-9a-zA-Z-]{1,127})(?:/([0-9a-zA-Z]*))?/?$`,
    'i',
  ).exec(uri.trim());
  if (!match) return undefined;
  const version = match[3];
  return {
    vaultUrl: (match[1] ?? '').toLowerCase(),
    name: match[2] ?? '',
    ...(version !== undefined && version !== '' && { version }),
  };
}

export function secretUriOf(secret: { vaultUrl: string; name: string }): string {
  return `${secret.vaultUrl}/secrets/${secret.name}`;
}

/** Whether two secret addresses name the same secret (Key Vault names are case-insensitive). */
export function sameSecret(
  a: { vaultUrl: string; name: string },
  b: { vaultUrl: string; name: string },
): boolean {
  return (
    a.vaultUrl.toLowerCase() === b.vaultUrl.toLowerCase() && a.name.toLowerCase() === b.name.toLowerCase()
  );
}

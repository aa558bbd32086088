import type { SecretUri } from '../../azure/endpoints';
import { parseSecretUri } from '../../azure/endpoints';

/**
 * An App Service Key Vault reference setting: `@Microsoft.KeyVault(SecretUri=<uri>)` or
 * `@Microsoft.KeyVault(VaultName=<vault>;SecretName=<name>[;SecretVersion=<version>])`. Returns the
 * secret it points at, 'invalid' for a reference App Service could not resolve either, or undefined
 * for a plain value.
 */
export function parseAppServiceReference(
  value: string,
  keyVaultDnsSuffix: string,
): SecretUri | 'invalid' | undefined {
  const match = /^@Microsoft\.KeyVault\((.*)\)\s*$/i.exec(value.trim());
  if (!match) return undefined;
  const fields = new Map<string, string>();
  for (const part of (match[1] ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  const uri = fields.get('secreturi');
  if (uri !== undefined) return parseSecretUri(uri) ?? 'invalid';
  const vault = fields.get('vaultname');
  const name = fields.get('secretname');
  if (vault === undefined || name === undefined) return 'invalid';
  const version = fields.get('secretversion');
  return (
    parseSecretUri(
      `https://${vault}.${keyVaultDnsSuffix}/secrets/${name}${version === undefined ? '' : `/${version}`}`,
    ) ?? 'invalid'
  );
}

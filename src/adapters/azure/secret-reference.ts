import { SecretValue } from '../../core/secret';
import { secretClient } from './clients';
import type { AzureContext } from './context';
import type { SecretUri } from './endpoints';
import { azureError, statusOf } from './errors';

/** What a Key Vault reference resolves to now, or undefined when it resolves to nothing. */
export type SecretResolver = (
  reference: SecretUri,
) => Promise<{ readonly value: SecretValue; readonly version: string | undefined } | undefined>;

/**
 * Resolves references the way their consumers do (App Service, App Configuration providers): the
 * pinned version, or else the latest. Only vaults of keyturn's own cloud are contacted, so a
 * reference planted in configuration cannot make keyturn send its token elsewhere.
 */
export function secretResolver(azure: AzureContext): SecretResolver {
  return async (reference) => {
    const host = new URL(reference.vaultUrl).hostname.toLowerCase();
    if (!host.endsWith(`.${azure.cloud.keyVaultDnsSuffix}`)) return undefined;
    const label = `Key Vault secret ${reference.name} in ${reference.vaultUrl}`;
    try {
      const secret = await secretClient(azure, reference.vaultUrl).getSecret(reference.name, {
        ...(reference.version !== undefined && { version: reference.version }),
      });
      if (secret.value === undefined || secret.properties.enabled === false) return undefined;
      return { value: new SecretValue(secret.value), version: secret.properties.version };
    } catch (error) {
      const status = statusOf(error);
      // Missing, or disabled (403 SecretDisabled): consumers get nothing from it either.
      if (
        status === 404 ||
        (status === 403 && /disabled/i.test(error instanceof Error ? error.message : ''))
      ) {
        return undefined;
      }
      throw azureError(error, 'resolve a reference to', label);
    }
  };
}

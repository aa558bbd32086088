import { secretClient } from '../../azure/clients';
import { requireAzure, requireSameCloud } from '../../azure/require';
import type { TargetAdapter } from '../../ports';
import { keyVaultSecretTargetSchema } from './schema';
import { KeyVaultSecretTarget } from './target';

/**
 * Distributes a key as a new version of a Key Vault secret, where applications (and App Service or
 * App Configuration Key Vault references) read it.
 */
export const keyVaultSecretTargetAdapter = {
  kind: 'key-vault-secret',
  schema: keyVaultSecretTargetSchema,
  create(config, deps) {
    const azure = requireAzure(deps, 'key-vault-secret', config.vaultUrl);
    requireSameCloud(azure, config.vaultUrl, [azure.cloud.keyVaultDnsSuffix], 'vaultUrl');
    return new KeyVaultSecretTarget(
      secretClient(azure, config.vaultUrl),
      { vaultUrl: config.vaultUrl, name: config.name },
      config.contentType,
      deps.clock,
    );
  },
} satisfies TargetAdapter<typeof keyVaultSecretTargetSchema>;

export { type KeyVaultSecretTargetConfig, keyVaultSecretTargetSchema } from './schema';

import { appConfigurationClient, secretClient } from '../../azure/clients';
import { requireAzure, requireSameCloud } from '../../azure/require';
import { secretResolver } from '../../azure/secret-reference';
import type { TargetAdapter } from '../../ports';
import { KeyVaultSecretTarget } from '../key-vault-secret/target';
import { appConfigurationTargetSchema } from './schema';
import { AppConfigurationTarget, type KeyValueMode } from './target';

/**
 * Distributes a key to an App Configuration key-value (per label): the key itself, or a
 * versionless Key Vault reference to a secret that receives the key as a new version.
 */
export const appConfigurationTargetAdapter = {
  kind: 'app-configuration',
  schema: appConfigurationTargetSchema,
  create(config, deps) {
    const azure = requireAzure(deps, 'app-configuration', config.endpoint);
    requireSameCloud(azure, config.endpoint, azure.cloud.appConfigurationDnsSuffixes, 'endpoint');
    let mode: KeyValueMode = { kind: 'plain', contentType: config.contentType };
    if (config.valueType === 'key-vault-reference' && config.secret) {
      requireSameCloud(azure, config.secret.vaultUrl, [azure.cloud.keyVaultDnsSuffix], 'secret.vaultUrl');
      const secret = new KeyVaultSecretTarget(
        secretClient(azure, config.secret.vaultUrl),
        config.secret,
        'text/plain',
        deps.clock,
      );
      mode = { kind: 'key-vault-reference', secret, address: config.secret };
    }
    return new AppConfigurationTarget(
      appConfigurationClient(azure, config.endpoint),
      { endpoint: config.endpoint, key: config.key, label: config.label },
      mode,
      secretResolver(azure),
    );
  },
} satisfies TargetAdapter<typeof appConfigurationTargetSchema>;

export { type AppConfigurationTargetConfig, appConfigurationTargetSchema } from './schema';

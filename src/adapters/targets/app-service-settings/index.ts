import { secretClient, webClient } from '../../azure/clients';
import { requireAzure } from '../../azure/require';
import { requireResourceId } from '../../azure/resource-id';
import { secretResolver } from '../../azure/secret-reference';
import type { TargetAdapter } from '../../ports';
import { KeyVaultSecretTarget } from '../key-vault-secret/target';
import { appServiceSettingsTargetSchema, SITE, STATIC_SITE } from './schema';
import { siteSettingsApi, staticSiteSettingsApi } from './settings-api';
import { AppServiceSettingsTarget } from './target';

/**
 * Distributes a key to an application setting of a Web App, Function App (or one of their
 * deployment slots) or Static Web App; through Key Vault when the setting is a reference.
 */
export const appServiceSettingsTargetAdapter = {
  kind: 'app-service-settings',
  schema: appServiceSettingsTargetSchema,
  create(config, deps) {
    const azure = requireAzure(deps, 'app-service-settings', config.resourceId);
    const { id, shape } = requireResourceId(config.resourceId, [SITE, STATIC_SITE]);
    const web = webClient(azure, id.subscriptionId);
    const api = shape === SITE ? siteSettingsApi(web, azure, id) : staticSiteSettingsApi(web, id);
    return new AppServiceSettingsTarget(api, id.id, config.setting, {
      secret: (address) =>
        new KeyVaultSecretTarget(secretClient(azure, address.vaultUrl), address, 'text/plain', deps.clock),
      resolve: secretResolver(azure),
      dnsSuffix: azure.cloud.keyVaultDnsSuffix,
    });
  },
} satisfies TargetAdapter<typeof appServiceSettingsTargetSchema>;

export { type AppServiceSettingsTargetConfig, appServiceSettingsTargetSchema } from './schema';

import { KeyturnError } from '../../../core/errors';
import { apimClient, cognitiveClient, storageClient } from '../../azure/clients';
import { requireAzure } from '../../azure/require';
import { requireResourceId } from '../../azure/resource-id';
import type { IssuerAdapter } from '../types';
import { AzureDualKeyIssuer } from './issuer';
import { apimSubscriptionKeys, cognitiveAccountKeys, type DualKeyApi, storageAccountKeys } from './resources';
import { APIM_SUBSCRIPTION, azureDualKeyIssuerSchema, COGNITIVE_ACCOUNT, DUAL_KEY_RESOURCES } from './schema';

/**
 * Issues the keys of an Azure resource that has two (storage accounts, Cognitive Services / Azure
 * OpenAI accounts, API Management subscriptions) by alternating them through ARM.
 */
export const azureDualKeyIssuerAdapter = {
  kind: 'azure-dual-key',
  singleCredential: true,
  schema: azureDualKeyIssuerSchema,
  create(config, deps) {
    const azure = requireAzure(deps, 'azure-dual-key', config.resourceId);
    if (!deps.generations) {
      throw new KeyturnError(
        'internal',
        `The azure-dual-key issuer for ${config.resourceId} needs the generation ledger.`,
        {
          retryable: false,
        },
      );
    }
    const { id, shape } = requireResourceId(config.resourceId, DUAL_KEY_RESOURCES);
    let api: DualKeyApi;
    if (shape === COGNITIVE_ACCOUNT)
      api = cognitiveAccountKeys(cognitiveClient(azure, id.subscriptionId), id);
    else if (shape === APIM_SUBSCRIPTION)
      api = apimSubscriptionKeys(apimClient(azure, id.subscriptionId), id);
    else api = storageAccountKeys(storageClient(azure, id.subscriptionId), id);
    return new AzureDualKeyIssuer(api, deps.generations, deps.keyring);
  },
} satisfies IssuerAdapter<typeof azureDualKeyIssuerSchema>;

export { type AzureDualKeyIssuerConfig, azureDualKeyIssuerSchema } from './schema';

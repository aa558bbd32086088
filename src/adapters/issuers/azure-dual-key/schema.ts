import { z } from 'zod';

import { resourceIdSchema, type ResourceShape } from '../../azure/resource-id';

export const STORAGE_ACCOUNT: ResourceShape = {
  label: 'a storage account',
  namespace: 'Microsoft.Storage',
  types: [
    { type: 'storageAccounts', name: /^[a-z0-9]{3,24}$/, rule: 'must be 3-24 lowercase letters or digits' },
  ],
};

export const COGNITIVE_ACCOUNT: ResourceShape = {
  label: 'a Cognitive Services or Azure OpenAI account',
  namespace: 'Microsoft.CognitiveServices',
  types: [
    {
      type: 'accounts',
      name: /^[a-z0-9][a-z0-9_.-]{1,63}$/i,
      rule: 'must be 2-64 letters, digits, _ . or -, starting with a letter or digit',
    },
  ],
};

export const APIM_SUBSCRIPTION: ResourceShape = {
  label: 'an API Management subscription',
  namespace: 'Microsoft.ApiManagement',
  types: [
    {
      type: 'service',
      name: /^[a-z](?:[a-z0-9-]{0,48}[a-z0-9])?$/i,
      rule: 'must be 1-50 letters, digits or dashes, starting with a letter',
    },
    {
      type: 'subscriptions',
      name: /^[^*#&+:<>?/\\%]{1,256}$/,
      rule: 'must be 1-256 characters without * # & + : < > ? / \\ or %',
    },
  ],
};

export const DUAL_KEY_RESOURCES = [STORAGE_ACCOUNT, COGNITIVE_ACCOUNT, APIM_SUBSCRIPTION] as const;

export const azureDualKeyIssuerSchema = z
  .object({
    kind: z.literal('azure-dual-key'),
    /**
     * ARM id of a storage account, a Cognitive Services / Azure OpenAI account, or an API
     * Management subscription (`…/Microsoft.ApiManagement/service/<svc>/subscriptions/<sid>`).
     */
    resourceId: resourceIdSchema(DUAL_KEY_RESOURCES),
  })
  .strict();

export type AzureDualKeyIssuerConfig = z.infer<typeof azureDualKeyIssuerSchema>;

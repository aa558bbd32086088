import { webClient } from '../../azure/clients';
import { requireAzure } from '../../azure/require';
import { requireResourceId } from '../../azure/resource-id';
import { SITE } from '../../targets/app-service-settings/schema';
import type { IssuerAdapter } from '../types';
import { FunctionAppKeyIssuer } from './issuer';
import { functionKeysApi } from './keys-api';
import { functionAppKeyIssuerSchema } from './schema';

/** Issues Function App host keys or function keys through ARM, one named key per generation. */
export const functionAppKeyIssuerAdapter = {
  kind: 'function-app-key',
  singleCredential: true,
  schema: functionAppKeyIssuerSchema,
  create(config, deps) {
    const azure = requireAzure(deps, 'function-app-key', config.resourceId);
    const { id } = requireResourceId(config.resourceId, [SITE]);
    const scope =
      config.scope === 'function'
        ? { kind: 'function' as const, functionName: config.functionName ?? '' }
        : { kind: 'host' as const, keyType: config.scope };
    return new FunctionAppKeyIssuer(
      functionKeysApi(webClient(azure, id.subscriptionId), azure, id, scope),
      config.keyName,
    );
  },
} satisfies IssuerAdapter<typeof functionAppKeyIssuerSchema>;

export { type FunctionAppKeyIssuerConfig, functionAppKeyIssuerSchema } from './schema';

import { bearerToken } from '../shared/credential';
import type { EmulatorRequest, Reply } from '../shared/http';
import { routeApimService, routeCognitiveAccount, routeStorageAccount } from './keys';
import { armError, notImplemented } from './responses';
import type { ArmStore } from './store';
import { type ResourceContext, routeSite, routeStaticSite } from './web';

/**
 * api-versions accepted per provider: what the installed SDKs send (arm-appservice 19: 2025-05-01,
 * arm-storage 20: 2025-08-01, arm-cognitiveservices 8.1: 2025-09-01, arm-apimanagement 10:
 * 2024-05-01), the recording's 2022-09-01, and 2022-03-01 used by the documented Key Vault reference
 * refresh call. Others get ARM's NoRegisteredProviderFound, so a mistyped version fails loudly.
 */
export const ARM_API_VERSIONS: Readonly<Record<string, readonly string[]>> = {
  'microsoft.web': ['2022-03-01', '2022-09-01', '2023-12-01', '2024-04-01', '2024-11-01', '2025-05-01'],
  'microsoft.storage': ['2023-05-01', '2024-01-01', '2025-01-01', '2025-06-01', '2025-08-01'],
  'microsoft.cognitiveservices': ['2023-05-01', '2024-10-01', '2025-06-01', '2025-09-01'],
  'microsoft.apimanagement': ['2022-08-01', '2023-05-01-preview', '2024-05-01'],
};

type Route = (context: ResourceContext, name: string, rest: readonly string[]) => Reply;

const ROUTES: Readonly<Record<string, Route>> = {
  'microsoft.web/sites': routeSite,
  'microsoft.web/staticsites': routeStaticSite,
  'microsoft.storage/storageaccounts': routeStorageAccount,
  'microsoft.cognitiveservices/accounts': routeCognitiveAccount,
  'microsoft.apimanagement/service': routeApimService,
};

export interface ArmHandlerOptions {
  readonly store: ArmStore;
  readonly tokens: readonly string[];
}

/** Routes `/subscriptions/{sub}/resourceGroups/{rg}/providers/{namespace}/{type}/{name}/...`. */
export function armHandler(options: ArmHandlerOptions): (request: EmulatorRequest) => Reply {
  return (request) => {
    const token = bearerToken(request.header('authorization'));
    if (token === undefined || !options.tokens.includes(token)) {
      return {
        ...armError(
          401,
          token === undefined ? 'AuthenticationFailed' : 'InvalidAuthenticationToken',
          token === undefined
            ? "Authentication failed. The 'Authorization' header is missing."
            : 'The access token is invalid.',
        ),
        headers: {
          'WWW-Authenticate':
            'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token"',
        },
      };
    }
    const segments = request.rawPath
      .split('/')
      .slice(1)
      .map((segment) => decodeURIComponent(segment));
    const [
      subscriptionsLiteral,
      subscriptionId,
      groupsLiteral,
      resourceGroup,
      providersLiteral,
      namespace,
      type,
      name,
    ] = segments;
    if (
      subscriptionsLiteral?.toLowerCase() !== 'subscriptions' ||
      groupsLiteral?.toLowerCase() !== 'resourcegroups' ||
      providersLiteral?.toLowerCase() !== 'providers' ||
      subscriptionId === undefined ||
      resourceGroup === undefined ||
      namespace === undefined ||
      type === undefined ||
      name === undefined
    ) {
      return notImplemented(request);
    }
    const versions = ARM_API_VERSIONS[namespace.toLowerCase()];
    const route = ROUTES[`${namespace}/${type}`.toLowerCase()];
    if (!versions || !route) {
      return notImplemented(request);
    }
    const apiVersion = request.query('api-version');
    if (apiVersion === undefined) {
      return armError(
        400,
        'MissingApiVersionParameter',
        'The api-version query parameter (?api-version=) is required for all requests.',
      );
    }
    if (!versions.includes(apiVersion)) {
      return armError(
        400,
        'NoRegisteredProviderFound',
        `No registered resource provider found for location 'emulator' and API version '${apiVersion}' for type '${type}'. The supported api-versions are '${versions.join(', ')}'.`,
      );
    }
    if (!options.store.hasSubscription(subscriptionId)) {
      return armError(
        404,
        'SubscriptionNotFound',
        `The subscription '${subscriptionId}' could not be found.`,
      );
    }
    if (!options.store.hasGroup(subscriptionId, resourceGroup)) {
      return armError(404, 'ResourceGroupNotFound', `Resource group '${resourceGroup}' could not be found.`);
    }
    return route({ request, store: options.store, subscriptionId, resourceGroup }, name, segments.slice(8));
  };
}

import type { WebSiteManagementClient } from '@azure/arm-appservice';

import type { SecretValue } from '../../../core/secret';
import { armRequest } from '../../azure/arm';
import type { AzureContext } from '../../azure/context';
import { azureError, statusOf } from '../../azure/errors';
import { nameOf, type ResourceId } from '../../azure/resource-id';

/** One collection of Function App keys: the host's function or system keys, or one function's keys. */
export interface FunctionKeysApi {
  readonly resource: string;
  list(): Promise<Readonly<Record<string, string>>>;
  /** Creates or replaces a key with the given value. */
  put(name: string, value: SecretValue): Promise<void>;
  /** Deletes a key; a key that is not there is not an error. */
  remove(name: string): Promise<void>;
}

export type FunctionKeysScope =
  | { readonly kind: 'host'; readonly keyType: 'functionKeys' | 'systemKeys' }
  | { readonly kind: 'function'; readonly functionName: string };

const API_VERSION = '2024-11-01';

/**
 * Everything goes through the client's pipeline rather than its methods: `@azure/arm-appservice`
 * 19 sends key PUTs as a flat `{ name, value }` body, which App Service rejects (it wants
 * `{ properties: { name, value } }`), and its StringDictionary reader loses the flat map that
 * `functions/{name}/listkeys` answers.
 */
export function functionKeysApi(
  web: Pick<WebSiteManagementClient, 'pipeline'>,
  azure: AzureContext,
  id: ResourceId,
  scope: FunctionKeysScope,
): FunctionKeysApi {
  const site = nameOf(id, 'sites') ?? '';
  const slot = nameOf(id, 'slots');
  const app = slot === undefined ? `Function App ${site}` : `slot ${slot} of Function App ${site}`;
  const resource =
    scope.kind === 'host'
      ? `${scope.keyType} of ${app} (${id.id})`
      : `keys of function ${scope.functionName} of ${app} (${id.id})`;
  const base =
    scope.kind === 'host'
      ? `${id.id}/host/default`
      : `${id.id}/functions/${encodeURIComponent(scope.functionName)}`;
  const keyPath = (name: string): string =>
    scope.kind === 'host'
      ? `${base}/${scope.keyType}/${encodeURIComponent(name)}`
      : `${base}/keys/${encodeURIComponent(name)}`;
  const send = async (action: string, work: () => Promise<unknown>, secrets: readonly SecretValue[] = []) => {
    try {
      return await work();
    } catch (error) {
      throw azureError(error, action, resource, secrets);
    }
  };
  return {
    resource,
    async list() {
      const response = (await send('list', () =>
        armRequest(web.pipeline, azure, {
          method: 'POST',
          path: `${base}/listkeys`,
          apiVersion: API_VERSION,
        }),
      )) as { body: unknown };
      return readKeys(response.body, scope);
    },
    async put(name, value) {
      await send(
        `write key ${name} in`,
        () =>
          armRequest(web.pipeline, azure, {
            method: 'PUT',
            path: keyPath(name),
            apiVersion: API_VERSION,
            body: { properties: { name, value: value.reveal() } },
          }),
        [value],
      );
    },
    async remove(name) {
      await send(`delete key ${name} from`, async () => {
        try {
          await armRequest(web.pipeline, azure, {
            method: 'DELETE',
            path: keyPath(name),
            apiVersion: API_VERSION,
          });
        } catch (error) {
          if (statusOf(error) !== 404) throw error;
        }
      });
    },
  };
}

/** Host listkeys answers `{ masterKey, functionKeys, systemKeys }`; a function's, a flat map (or `properties`). */
function readKeys(body: unknown, scope: FunctionKeysScope): Record<string, string> {
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const source = scope.kind === 'host' ? record[scope.keyType] : (record['properties'] ?? record);
  const keys: Record<string, string> = {};
  if (typeof source !== 'object' || source === null) return keys;
  for (const [name, value] of Object.entries(source)) if (typeof value === 'string') keys[name] = value;
  return keys;
}

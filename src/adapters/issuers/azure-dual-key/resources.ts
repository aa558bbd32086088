import type { ApiManagementClient } from '@azure/arm-apimanagement';
import type { CognitiveServicesManagementClient } from '@azure/arm-cognitiveservices';
import type { StorageManagementClient } from '@azure/arm-storage';

import { KeyturnError } from '../../../core/errors';
import { SecretValue } from '../../../core/secret';
import { azureError } from '../../azure/errors';
import { nameOf, type ResourceId } from '../../azure/resource-id';

export type Slot = 0 | 1;

/** The two keys of one Azure resource, as its management API exposes them. */
export interface DualKeyApi {
  /** What the keys belong to, for messages. */
  readonly resource: string;
  /** The service's names of the two keys (`key1`/`key2`, `Key1`/`Key2`, `primary`/`secondary`). */
  readonly slotNames: readonly [string, string];
  list(): Promise<readonly [SecretValue, SecretValue]>;
  /** Replaces one key with a new value the service generates. */
  regenerate(slot: Slot): Promise<void>;
}

async function call<T>(action: string, resource: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw azureError(error, action, resource);
  }
}

function both(
  resource: string,
  first: string | undefined,
  second: string | undefined,
): [SecretValue, SecretValue] {
  if (!first || !second) {
    throw new KeyturnError('internal', `The keys of ${resource} came back incomplete.`, {
      retryable: true,
      details: { resource },
    });
  }
  return [new SecretValue(first), new SecretValue(second)];
}

export function storageAccountKeys(
  client: { storageAccounts: Pick<StorageManagementClient['storageAccounts'], 'listKeys' | 'regenerateKey'> },
  id: ResourceId,
): DualKeyApi {
  const account = nameOf(id, 'storageAccounts') ?? '';
  const resource = `storage account ${account} (${id.id})`;
  const slotNames = ['key1', 'key2'] as const;
  return {
    resource,
    slotNames,
    list: () =>
      call('list the keys of', resource, async () => {
        const { keys = [] } = await client.storageAccounts.listKeys(id.resourceGroup, account);
        const value = (name: string) => keys.find((k) => k.keyName?.toLowerCase() === name)?.value;
        return both(resource, value('key1'), value('key2'));
      }),
    regenerate: (slot) =>
      call(`regenerate ${slotNames[slot]} of`, resource, async () => {
        await client.storageAccounts.regenerateKey(id.resourceGroup, account, { keyName: slotNames[slot] });
      }),
  };
}

export function cognitiveAccountKeys(
  client: { accounts: Pick<CognitiveServicesManagementClient['accounts'], 'listKeys' | 'regenerateKey'> },
  id: ResourceId,
): DualKeyApi {
  const account = nameOf(id, 'accounts') ?? '';
  const resource = `Cognitive Services account ${account} (${id.id})`;
  const slotNames = ['Key1', 'Key2'] as const;
  return {
    resource,
    slotNames,
    list: () =>
      call('list the keys of', resource, async () => {
        const keys = await client.accounts.listKeys(id.resourceGroup, account);
        return both(resource, keys.key1, keys.key2);
      }),
    regenerate: (slot) =>
      call(`regenerate ${slotNames[slot]} of`, resource, async () => {
        await client.accounts.regenerateKey(id.resourceGroup, account, slotNames[slot]);
      }),
  };
}

export function apimSubscriptionKeys(
  client: {
    subscription: Pick<
      ApiManagementClient['subscription'],
      'listSecrets' | 'regeneratePrimaryKey' | 'regenerateSecondaryKey'
    >;
  },
  id: ResourceId,
): DualKeyApi {
  const service = nameOf(id, 'service') ?? '';
  const sid = nameOf(id, 'subscriptions') ?? '';
  const resource = `API Management subscription ${sid} of ${service} (${id.id})`;
  const slotNames = ['primary', 'secondary'] as const;
  return {
    resource,
    slotNames,
    list: () =>
      call('list the keys of', resource, async () => {
        const secrets = await client.subscription.listSecrets(id.resourceGroup, service, sid);
        return both(resource, secrets.primaryKey, secrets.secondaryKey);
      }),
    // Both answer 204 without the new key; `list` reads it.
    regenerate: (slot) =>
      call(`regenerate the ${slotNames[slot]} key of`, resource, async () => {
        if (slot === 0) await client.subscription.regeneratePrimaryKey(id.resourceGroup, service, sid);
        else await client.subscription.regenerateSecondaryKey(id.resourceGroup, service, sid);
      }),
  };
}

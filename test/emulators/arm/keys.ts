import { randomBytes } from 'node:crypto';

import { isRecord, jsonBody, type Reply } from '../shared/http';
import { armError, notFound, notImplemented, ok } from './responses';
import { type ApimSubscriptionState, ArmStore, hexKey, storageKey } from './store';
import { is, type ResourceContext } from './web';

/** `Microsoft.Storage/storageAccounts/{name}/listKeys|regenerateKey` (key1/key2). */
export function routeStorageAccount(context: ResourceContext, name: string, rest: readonly string[]): Reply {
  const { request, store } = context;
  const account = store.storageAccounts.get(
    ArmStore.key(context.subscriptionId, context.resourceGroup, name),
  );
  if (!account) {
    return notFound('Microsoft.Storage/storageAccounts', name, context.resourceGroup);
  }
  const list = (): Reply =>
    ok({
      keys: (['key1', 'key2'] as const).map((keyName) => ({
        creationTime: account.keys[keyName].creationTime.toISOString(),
        keyName,
        value: account.keys[keyName].value,
        permissions: 'FULL',
      })),
    });
  if (request.method === 'POST' && is(rest, 'listKeys')) {
    return list();
  }
  if (request.method === 'POST' && is(rest, 'regenerateKey')) {
    const body = jsonBody(request);
    const keyName = isRecord(body) && typeof body.keyName === 'string' ? body.keyName.toLowerCase() : '';
    if (keyName !== 'key1' && keyName !== 'key2') {
      return armError(400, 'InvalidValuesForRequestParameters', "keyName must be 'key1' or 'key2'.");
    }
    account.keys[keyName] = { value: storageKey(), creationTime: new Date() };
    store.record(account.id, `regenerateKey:${keyName}`, 'client');
    return list();
  }
  return notImplemented(request);
}

/** `Microsoft.CognitiveServices/accounts/{name}/listKeys|regenerateKey` (Key1/Key2). */
export function routeCognitiveAccount(
  context: ResourceContext,
  name: string,
  rest: readonly string[],
): Reply {
  const { request, store } = context;
  const account = store.cognitiveAccounts.get(
    ArmStore.key(context.subscriptionId, context.resourceGroup, name),
  );
  if (!account) {
    return notFound('Microsoft.CognitiveServices/accounts', name, context.resourceGroup);
  }
  if (request.method === 'POST' && is(rest, 'listKeys')) {
    return ok({ key1: account.key1, key2: account.key2 });
  }
  if (request.method === 'POST' && is(rest, 'regenerateKey')) {
    const body = jsonBody(request);
    const keyName = isRecord(body) && typeof body.keyName === 'string' ? body.keyName.toLowerCase() : '';
    if (keyName !== 'key1' && keyName !== 'key2') {
      return armError(400, 'BadRequest', "keyName must be 'Key1' or 'Key2'.");
    }
    account[keyName] = hexKey();
    store.record(account.id, `regenerateKey:${keyName === 'key1' ? 'Key1' : 'Key2'}`, 'client');
    return ok({ key1: account.key1, key2: account.key2 });
  }
  return notImplemented(request);
}

/** `Microsoft.ApiManagement/service/{service}/subscriptions/{sid}[/listSecrets|regenerate*Key]`. */
export function routeApimService(context: ResourceContext, service: string, rest: readonly string[]): Reply {
  const { request, store } = context;
  const subscriptions = store.apimServices.get(
    ArmStore.key(context.subscriptionId, context.resourceGroup, service),
  );
  if (!subscriptions) {
    return notFound('Microsoft.ApiManagement/service', service, context.resourceGroup);
  }
  if (rest[0]?.toLowerCase() !== 'subscriptions' || rest[1] === undefined) {
    return notImplemented(request);
  }
  const subscription = subscriptions.get(rest[1].toLowerCase());
  if (!subscription) {
    return armError(404, 'ResourceNotFound', 'Subscription not found.');
  }
  const action = rest.slice(2);
  const etag = { ETag: `"${subscription.etag}"` };
  if (request.method === 'GET' && action.length === 0) {
    return ok(contract(subscription), etag);
  }
  if (request.method === 'PATCH' && action.length === 0) {
    return update(context, subscription);
  }
  if (request.method === 'POST' && is(action, 'listSecrets')) {
    return ok({ primaryKey: subscription.primaryKey, secondaryKey: subscription.secondaryKey }, etag);
  }
  for (const [literal, field] of [
    ['regeneratePrimaryKey', 'primaryKey'],
    ['regenerateSecondaryKey', 'secondaryKey'],
  ] as const) {
    if (request.method === 'POST' && is(action, literal)) {
      subscription[field] = hexKey();
      subscription.etag = newEntityTag();
      store.record(subscription.id, literal, 'client');
      return { status: 204 };
    }
  }
  return notImplemented(request);
}

/** PATCH with If-Match (required by API Management; `*` accepted) can set keys explicitly. */
function update(context: ResourceContext, subscription: ApimSubscriptionState): Reply {
  const ifMatch = context.request.header('if-match');
  if (ifMatch === undefined) {
    return armError(400, 'InvalidRequest', 'The If-Match header is required.');
  }
  if (ifMatch !== '*' && ifMatch.replace(/^"(.*)"$/, '$1') !== subscription.etag) {
    return armError(412, 'PreconditionFailed', 'The entity state does not match the expected state.');
  }
  const body = jsonBody(context.request);
  const properties = isRecord(body) && isRecord(body.properties) ? body.properties : undefined;
  if (!properties) {
    return armError(400, 'ValidationError', 'The properties object is required.');
  }
  for (const field of ['primaryKey', 'secondaryKey', 'state', 'displayName', 'scope'] as const) {
    const value = properties[field];
    if (typeof value === 'string') {
      subscription[field] = value;
    }
  }
  subscription.etag = newEntityTag();
  context.store.record(subscription.id, 'update', 'client');
  return ok(contract(subscription), { ETag: `"${subscription.etag}"` });
}

function contract(subscription: ApimSubscriptionState): Record<string, unknown> {
  return {
    id: subscription.id,
    type: 'Microsoft.ApiManagement/service/subscriptions',
    name: subscription.sid,
    properties: {
      ownerId: null,
      scope: subscription.scope,
      displayName: subscription.displayName,
      state: subscription.state,
      createdDate: subscription.createdDate.toISOString(),
      startDate: null,
      expirationDate: null,
      endDate: null,
      notificationDate: null,
      stateComment: null,
      allowTracing: false,
    },
  };
}

export function newEntityTag(): string {
  return randomBytes(8).toString('base64');
}

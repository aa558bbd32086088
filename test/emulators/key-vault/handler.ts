import { bearerToken } from '../shared/credential';
import { type EmulatorRequest, isRecord, jsonBody, type Reply, segmentsAfter } from '../shared/http';
import { bundle, challenge, deletedBundle, error, item, notFound, recoveryId, type Vault } from './shapes';
import {
  latest,
  type SecretState,
  type SecretStore,
  type SecretVersionState,
  type SetSecretInput,
  type UpdateSecretInput,
  versionsInListOrder,
} from './store';

/** Data-plane versions accepted: the recordings' and those the installed SDK can send (7.x and 2025-07-01). */
export const KEY_VAULT_API_VERSIONS = [
  '7.0',
  '7.1',
  '7.2',
  '7.3',
  '7.4',
  '7.4-preview.1',
  '7.5',
  '7.6',
  '2025-07-01',
] as const;

const NAME = /^[0-9a-zA-Z-]{1,127}$/;
const MAX_PAGE = 25;

export interface KeyVaultHandlerOptions {
  readonly store: SecretStore;
  readonly tokens: readonly string[];
  readonly tenantId: string;
  readonly origin: () => string;
}

/** Routes one Key Vault secrets request (REST reference: learn.microsoft.com/rest/api/keyvault/secrets). */
export function keyVaultHandler(options: KeyVaultHandlerOptions): (request: EmulatorRequest) => Reply {
  const { store } = options;

  return (request) => {
    const token = bearerToken(request.header('authorization'));
    if (token === undefined) {
      return challenge(options.tenantId, 'AKV10000: Request is missing a Bearer or PoP token.');
    }
    if (!options.tokens.includes(token)) {
      return challenge(options.tenantId, 'AKV10022: Invalid audience or token.');
    }
    const apiVersion = request.query('api-version');
    if (apiVersion === undefined) {
      return error(400, 'BadParameter', 'The api-version query parameter is missing.');
    }
    if (!(KEY_VAULT_API_VERSIONS as readonly string[]).includes(apiVersion)) {
      return error(400, 'BadParameter', `The specified version (${apiVersion}) is not recognized.`);
    }
    const context: Context = {
      request,
      apiVersion,
      origin: options.origin(),
      recoverableDays: store.recoverableDays,
      store,
    };

    const secrets = segmentsAfter(request.rawPath, '/secrets');
    if (secrets) {
      return routeSecrets(context, secrets);
    }
    const deleted = segmentsAfter(request.rawPath, '/deletedsecrets');
    if (deleted) {
      return routeDeleted(context, deleted);
    }
    return notImplemented(request);
  };
}

interface Context extends Vault {
  readonly request: EmulatorRequest;
  readonly apiVersion: string;
  readonly store: SecretStore;
}

function routeSecrets(context: Context, segments: string[]): Reply {
  const { request } = context;
  const [name, second, ...more] = segments;
  if (name === undefined || name === '') {
    return request.method === 'GET' && segments.length <= 1 ? listSecrets(context) : notImplemented(request);
  }
  if (!NAME.test(name)) {
    return error(400, 'BadParameter', `The request URI contains an invalid name: ${name}`);
  }
  if (more.length > 0) {
    return notImplemented(request);
  }
  if (second === undefined) {
    switch (request.method) {
      case 'PUT':
        return setSecret(context, name);
      case 'GET':
        return getSecret(context, name, '');
      case 'DELETE':
        return deleteSecret(context, name);
      case 'PATCH':
        return updateSecret(context, name, '');
      default:
        return notImplemented(request);
    }
  }
  if (second === 'versions' && request.method === 'GET') {
    return listVersions(context, name);
  }
  if (request.method === 'GET') {
    return getSecret(context, name, second);
  }
  if (request.method === 'PATCH') {
    return updateSecret(context, name, second);
  }
  return notImplemented(request);
}

function routeDeleted(context: Context, segments: string[]): Reply {
  const { request, store } = context;
  const [name, action, ...more] = segments;
  if (name === undefined || name === '') {
    return request.method === 'GET' ? listDeleted(context) : notImplemented(request);
  }
  if (more.length > 0) {
    return notImplemented(request);
  }
  if (action === 'recover' && request.method === 'POST') {
    const secret = store.recover(name);
    if (!secret) {
      return error(404, 'SecretNotFound', `Deleted Secret not found: ${name}`);
    }
    return ok(bundle(context, secret, latest(secret), false));
  }
  if (action !== undefined) {
    return notImplemented(request);
  }
  if (request.method === 'GET') {
    const entry = store.readDeleted(name);
    return entry
      ? ok(deletedBundle(context, entry))
      : error(404, 'SecretNotFound', `Deleted Secret not found: ${name}`);
  }
  if (request.method === 'DELETE') {
    return store.purge(name)
      ? { status: 204 }
      : error(404, 'SecretNotFound', `Deleted Secret not found: ${name}`);
  }
  return notImplemented(request);
}

function setSecret(context: Context, name: string): Reply {
  const body = jsonBody(context.request);
  if (!isRecord(body) || typeof body.value !== 'string') {
    return error(400, 'BadParameter', 'Property value is required and must be a string.');
  }
  const attributes = readAttributes(body.attributes);
  if (typeof attributes === 'string') {
    return error(400, 'BadParameter', attributes);
  }
  const input: SetSecretInput = { value: body.value, ...attributes, ...readContentTypeAndTags(body) };
  const outcome = context.store.set(name, input, 'client');
  switch (outcome.kind) {
    case 'deleted-but-recoverable':
      return error(
        409,
        'Conflict',
        `Secret ${name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.`,
        'ObjectIsDeletedButRecoverable',
      );
    case 'being-recovered':
      return error(
        409,
        'Conflict',
        `Secret ${name} is currently being recovered and cannot be re-created; retry later.`,
        'ObjectIsBeingRecovered',
      );
    case 'set':
      return ok(bundle(context, outcome.secret, outcome.version, true));
  }
}

function getSecret(context: Context, name: string, version: string): Reply {
  const secret = context.store.read(name);
  const found = secret && findVersion(secret, version);
  if (!secret || !found) {
    return notFound(version === '' ? name : `${name}/${version}`);
  }
  if (!found.enabled) {
    return error(403, 'Forbidden', 'Operation get is not allowed on a disabled secret.', 'SecretDisabled');
  }
  return ok(bundle(context, secret, found, true));
}

function updateSecret(context: Context, name: string, version: string): Reply {
  const secret = context.store.read(name);
  const found = secret && findVersion(secret, version);
  if (!secret || !found) {
    return notFound(version === '' ? name : `${name}/${version}`);
  }
  const body = jsonBody(context.request);
  if (!isRecord(body)) {
    return error(400, 'BadParameter', 'The request body must be a JSON object.');
  }
  const attributes = readAttributes(body.attributes);
  if (typeof attributes === 'string') {
    return error(400, 'BadParameter', attributes);
  }
  const input: UpdateSecretInput = { ...attributes, ...readContentTypeAndTags(body) };
  context.store.update(secret, found, input);
  return ok(bundle(context, secret, found, false));
}

function deleteSecret(context: Context, name: string): Reply {
  const entry = context.store.delete(name);
  return entry ? ok(deletedBundle(context, entry)) : notFound(name);
}

function listSecrets(context: Context): Reply {
  const items = context.store.listLive().map((secret) => item(context, secret, latest(secret), false));
  return page(context, items, '/secrets');
}

function listVersions(context: Context, name: string): Reply {
  const secret = context.store.peek(name);
  const items = secret
    ? versionsInListOrder(secret).map((version) => item(context, secret, version, true))
    : [];
  return page(context, items, `/secrets/${encodeURIComponent(name)}/versions`);
}

function listDeleted(context: Context): Reply {
  const items = context.store.listDeleted().map((entry) => ({
    recoveryId: recoveryId(context, entry.secret),
    deletedDate: entry.deletedDate,
    scheduledPurgeDate: entry.scheduledPurgeDate,
    ...item(context, entry.secret, latest(entry.secret), false),
  }));
  return page(context, items, '/deletedsecrets');
}

/** One page of a listing, with a `nextLink` carrying an opaque `$skiptoken`, as the service pages. */
function page(context: Context, items: object[], path: string): Reply {
  const { request } = context;
  const requested = request.query('maxresults');
  const size = requested === undefined ? MAX_PAGE : Number(requested);
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE) {
    return error(
      400,
      'BadParameter',
      `The value of maxresults must be an integer between 1 and ${MAX_PAGE}.`,
    );
  }
  const token = request.query('$skiptoken');
  const offset = token === undefined ? 0 : decodeSkipToken(token);
  if (offset === undefined) {
    return error(400, 'BadParameter', 'The $skiptoken is not valid.');
  }
  const slice = items.slice(offset, offset + size);
  let nextLink: string | null = null;
  if (offset + size < items.length) {
    const max = requested === undefined ? '' : `&maxresults=${size}`;
    nextLink = `${context.origin}${path}?api-version=${context.apiVersion}&$skiptoken=${encodeSkipToken(offset + size)}${max}`;
  }
  return ok({ value: slice, nextLink });
}

function findVersion(secret: SecretState, version: string): SecretVersionState | undefined {
  return version === ''
    ? secret.versions.at(-1)
    : secret.versions.find((candidate) => candidate.version === version);
}

function readAttributes(value: unknown): Omit<UpdateSecretInput, 'contentType' | 'tags'> | string {
  if (value === undefined || value === null) {
    return {};
  }
  if (!isRecord(value)) {
    return 'Property attributes must be an object.';
  }
  const result: { enabled?: boolean; notBefore?: number; expires?: number } = {};
  if (value.enabled !== undefined) {
    if (typeof value.enabled !== 'boolean') return 'Property attributes.enabled must be a boolean.';
    result.enabled = value.enabled;
  }
  for (const [field, target] of [
    ['nbf', 'notBefore'],
    ['exp', 'expires'],
  ] as const) {
    const raw = value[field];
    if (raw !== undefined && raw !== null) {
      if (typeof raw !== 'number' || !Number.isInteger(raw))
        return `Property attributes.${field} must be a Unix time.`;
      result[target] = raw;
    }
  }
  return result;
}

function readContentTypeAndTags(body: Record<string, unknown>): {
  contentType?: string;
  tags?: Record<string, string>;
} {
  const result: { contentType?: string; tags?: Record<string, string> } = {};
  if (typeof body.contentType === 'string') {
    result.contentType = body.contentType;
  }
  if (isRecord(body.tags)) {
    result.tags = Object.fromEntries(Object.entries(body.tags).map(([key, value]) => [key, String(value)]));
  }
  return result;
}

function encodeSkipToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString('base64url');
}

function decodeSkipToken(token: string): number | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    return isRecord(parsed) && typeof parsed.offset === 'number' ? parsed.offset : undefined;
  } catch {
    return undefined;
  }
}

function ok(body: object): Reply {
  return { status: 200, body };
}

function notImplemented(request: EmulatorRequest): Reply {
  return error(
    501,
    'NotImplemented',
    `The Key Vault emulator does not implement ${request.method} ${request.rawPath}.`,
  );
}

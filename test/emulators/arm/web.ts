import { createHash } from 'node:crypto';

import { type EmulatorRequest, isRecord, jsonBody, type Reply } from '../shared/http';
import { armError, missingPropertiesError, notFound, notImplemented, ok } from './responses';
import { siteResource } from './site-resource';
import { ArmStore, functionKey, type SettingsPair, type SiteState, type WebAppState } from './store';

export interface ResourceContext {
  readonly request: EmulatorRequest;
  readonly store: ArmStore;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
}

/** True when `segments` are exactly these literals (case-insensitive); `*` matches any one segment. */
export function is(segments: readonly string[], ...pattern: string[]): boolean {
  return (
    segments.length === pattern.length &&
    pattern.every(
      (literal, index) => literal === '*' || literal.toLowerCase() === segments[index]?.toLowerCase(),
    )
  );
}

/** `Microsoft.Web/sites/{name}[/slots/{slot}]/...` */
export function routeSite(context: ResourceContext, name: string, rest: readonly string[]): Reply {
  const { request, store } = context;
  const site = store.sites.get(ArmStore.key(context.subscriptionId, context.resourceGroup, name));
  if (!site) {
    return notFound('Microsoft.Web/sites', name, context.resourceGroup);
  }
  let app: WebAppState = site;
  let path = rest;
  if (path[0]?.toLowerCase() === 'slots' && path[1] !== undefined) {
    const slot = site.slots.get(path[1].toLowerCase());
    if (!slot) {
      return notFound('Microsoft.Web/sites/slots', `${name}/${path[1]}`, context.resourceGroup);
    }
    app = slot;
    path = path.slice(2);
  }
  const method = request.method;
  if (method === 'GET' && path.length === 0) {
    return ok(siteResource(site, app), { ETag: `"${siteEtag(app)}"` });
  }
  if (method === 'POST' && is(path, 'config', 'appsettings', 'list')) {
    return ok(appSettingsDictionary(site, app));
  }
  if (method === 'PUT' && is(path, 'config', 'appsettings')) {
    return replaceAppSettings(context, site, app);
  }
  if (method === 'GET' && is(path, 'config', 'configreferences', 'appsettings')) {
    return ok({ value: referenceItems(app), nextLink: null });
  }
  if (method === 'GET' && is(path, 'config', 'configreferences', 'appsettings', '*')) {
    const item = referenceItems(app).find((candidate) => candidate.name === path[3]);
    return item
      ? ok(item)
      : armError(404, 'NotFound', `App setting '${path[3] ?? ''}' is not a Key Vault reference.`);
  }
  if (method === 'POST' && is(path, 'config', 'configreferences', 'appsettings', 'refresh')) {
    // Documented in "Use Key Vault references" (section Rotation); not part of the SDK or REST spec.
    app.referenceRefreshes += 1;
    store.resolveReferences(app);
    store.record(app.id, 'refresh-key-vault-references', 'client');
    return ok({ value: referenceItems(app), nextLink: null });
  }
  if (method === 'POST' && is(path, 'restart')) {
    restart(store, app);
    store.record(app.id, 'restart', 'client');
    return { status: 200 };
  }
  if (method === 'POST' && is(path, 'host', 'default', 'listkeys')) {
    const keys = app.hostKeys;
    return ok({
      masterKey: keys.masterKey,
      functionKeys: { ...keys.functionKeys },
      systemKeys: { ...keys.systemKeys },
    });
  }
  if (is(path, 'host', 'default', '*', '*') && (method === 'PUT' || method === 'DELETE')) {
    return hostKey(context, app, path[2] ?? '', path[3] ?? '');
  }
  if (path[0]?.toLowerCase() === 'functions' && path[1] !== undefined) {
    return routeFunction(context, app, path[1], path.slice(2));
  }
  return notImplemented(request);
}

/** The site's entity tag changes whenever its configuration or run state does. */
function siteEtag(app: WebAppState): string {
  return createHash('sha256')
    .update(JSON.stringify([app.appSettings, app.restarts]))
    .digest('hex')
    .slice(0, 15)
    .toUpperCase();
}

/** Restarting re-reads every Key Vault reference (App Service docs, "Rotation"). */
function restart(store: ArmStore, app: WebAppState): void {
  app.restarts += 1;
  store.resolveReferences(app);
}

function appSettingsDictionary(site: SiteState, app: WebAppState): Record<string, unknown> {
  return {
    id: `${app.id}/config/appsettings`,
    name: 'appsettings',
    type: app.slot === undefined ? 'Microsoft.Web/sites/config' : 'Microsoft.Web/sites/slots/config',
    location: site.location,
    properties: { ...app.appSettings },
  };
}

/** Full replace: settings absent from the body are removed. The app restarts. */
function replaceAppSettings(context: ResourceContext, site: SiteState, app: WebAppState): Reply {
  const read = readDictionary(jsonBody(context.request));
  if ('error' in read) {
    return read.error;
  }
  app.appSettings = read.settings;
  context.store.record(`${app.id}/config/appsettings`, 'replace', 'client');
  // A settings change restarts the app (and so re-reads its Key Vault references); not a separate write.
  restart(context.store, app);
  return ok(appSettingsDictionary(site, app));
}

function referenceItems(app: WebAppState): Record<string, unknown>[] {
  return [...app.resolved.entries()].map(([name, entry]) => {
    const resolution = entry.resolution;
    return {
      id: `${app.id}/config/configreferences/appsettings/${name}`,
      name,
      type:
        app.slot === undefined
          ? 'Microsoft.Web/sites/config/configreferences'
          : 'Microsoft.Web/sites/slots/config/configreferences',
      properties: {
        reference: entry.reference,
        status: resolution.status,
        vaultName: entry.parsed?.vaultName ?? null,
        secretName: entry.parsed?.secretName ?? null,
        secretVersion: entry.parsed?.secretVersion ?? null,
        identityType: { type: 'SystemAssigned' },
        details: 'details' in resolution ? (resolution.details ?? null) : null,
        source: 'KeyVault',
        activeVersion: resolution.status === 'Resolved' ? resolution.version : null,
      },
    };
  });
}

const HOST_KEY_TYPES = { functionkeys: 'functionKeys', systemkeys: 'systemKeys' } as const;

function hostKey(context: ResourceContext, app: WebAppState, keyType: string, keyName: string): Reply {
  const type = HOST_KEY_TYPES[keyType.toLowerCase() as keyof typeof HOST_KEY_TYPES] as
    (typeof HOST_KEY_TYPES)[keyof typeof HOST_KEY_TYPES] | undefined;
  if (type === undefined) {
    return armError(
      400,
      'BadRequest',
      `Key type '${keyType}' is not supported; use functionKeys or systemKeys.`,
    );
  }
  const keys = app.hostKeys[type];
  const resource = `${app.id}/host/default/${type}/${keyName}`;
  return writeKey(context, keys, keyName, resource, `Microsoft.Web/sites/host/${type}`);
}

function routeFunction(
  context: ResourceContext,
  app: WebAppState,
  functionName: string,
  rest: readonly string[],
): Reply {
  const { request } = context;
  const fn = app.functions.get(functionName.toLowerCase());
  if (!fn) {
    return armError(404, 'NotFound', `Function '${functionName}' does not exist in ${app.siteName}.`);
  }
  if (request.method === 'POST' && is(rest, 'listkeys')) {
    // The service answers a flat { keyName: value } map, not the StringDictionary the spec declares
    // (azure-rest-api-specs #11401 / #12889); SDK clients that deserialize `properties` see nothing.
    return ok({ ...fn.keys });
  }
  if (is(rest, 'keys', '*') && (request.method === 'PUT' || request.method === 'DELETE')) {
    const keyName = rest[1] ?? '';
    const resource = `${app.id}/functions/${fn.name}/keys/${keyName}`;
    return writeKey(context, fn.keys, keyName, resource, 'Microsoft.Web/sites/functions/keys');
  }
  return notImplemented(request);
}

/**
 * PUT or DELETE one named key. PUT needs `{ properties: { name, value } }`; App Service rejects the
 * flat `{ name, value }` that the spec (and @azure/arm-appservice 19) send. A PUT without a value
 * generates one. 201 when created, 200 when replaced; DELETE answers 204, or 404 when absent.
 */
function writeKey(
  context: ResourceContext,
  keys: Record<string, string>,
  keyName: string,
  resource: string,
  type: string,
): Reply {
  const { request, store } = context;
  if (request.method === 'DELETE') {
    if (!(keyName in keys)) {
      return armError(404, 'NotFound', `Key '${keyName}' was not found.`);
    }
    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- keys are a plain name → value map
    delete keys[keyName];
    store.record(resource, 'delete', 'client');
    return { status: 204 };
  }
  const body = jsonBody(request);
  const properties = isRecord(body) ? (body.properties ?? body.Properties) : undefined;
  if (!isRecord(properties)) {
    return missingPropertiesError();
  }
  const rawValue = properties.value ?? (isRecord(body) ? body.value : undefined);
  if (rawValue !== undefined && rawValue !== null && typeof rawValue !== 'string') {
    return armError(400, 'BadRequest', 'The key value must be a string.');
  }
  const value = typeof rawValue === 'string' && rawValue !== '' ? rawValue : functionKey();
  const created = !(keyName in keys);
  keys[keyName] = value;
  store.record(resource, created ? 'create' : 'replace', 'client');
  return {
    status: created ? 201 : 200,
    body: { id: resource, name: keyName, type, properties: { name: keyName, value } },
  };
}

/** `Microsoft.Web/staticSites/{name}/...` (app settings and the managed Functions API's settings). */
export function routeStaticSite(context: ResourceContext, name: string, rest: readonly string[]): Reply {
  const { request, store } = context;
  const site = store.staticSites.get(ArmStore.key(context.subscriptionId, context.resourceGroup, name));
  if (!site) {
    return notFound('Microsoft.Web/staticSites', name, context.resourceGroup);
  }
  let target: SettingsPair = site;
  let base = site.id;
  let type = 'Microsoft.Web/staticSites/config';
  let path = rest;
  if (path[0]?.toLowerCase() === 'builds' && path[1] !== undefined) {
    const build = site.builds.get(path[1].toLowerCase());
    if (!build) {
      return notFound('Microsoft.Web/staticSites/builds', `${name}/${path[1]}`, context.resourceGroup);
    }
    target = build;
    base = `${site.id}/builds/${build.name}`;
    type = 'Microsoft.Web/staticSites/builds/config';
    path = path.slice(2);
  }
  const dictionary = (which: 'appsettings' | 'functionappsettings'): Record<string, unknown> => ({
    id: `${base}/config/${which}`,
    name: which,
    type,
    properties: { ...(which === 'appsettings' ? target.appSettings : target.functionAppSettings) },
  });
  if (request.method === 'POST' && is(path, 'listappsettings')) {
    return ok(dictionary('appsettings'));
  }
  if (request.method === 'POST' && is(path, 'listfunctionappsettings')) {
    return ok(dictionary('functionappsettings'));
  }
  for (const which of ['appsettings', 'functionappsettings'] as const) {
    if (request.method === 'PUT' && is(path, 'config', which)) {
      const read = readDictionary(jsonBody(request));
      if ('error' in read) {
        return read.error;
      }
      if (which === 'appsettings') {
        target.appSettings = read.settings;
      } else {
        target.functionAppSettings = read.settings;
      }
      store.record(`${base}/config/${which}`, 'replace', 'client');
      return ok(dictionary(which));
    }
  }
  return notImplemented(request);
}

export function staticSiteSettings(site: SettingsPair): SettingsPair {
  return { appSettings: { ...site.appSettings }, functionAppSettings: { ...site.functionAppSettings } };
}

/** A StringDictionary body: `{ properties: { name: value } }` with string values only. */
function readDictionary(body: unknown): { settings: Record<string, string> } | { error: Reply } {
  const properties = isRecord(body) ? body.properties : undefined;
  if (properties === undefined || properties === null) {
    return { error: missingPropertiesError() };
  }
  if (!isRecord(properties)) {
    return { error: armError(400, 'BadRequest', 'properties must be an object of strings.') };
  }
  const settings: Record<string, string> = {};
  for (const [key, value] of Object.entries(properties)) {
    if (typeof value !== 'string') {
      return { error: armError(400, 'BadRequest', `The value of setting '${key}' must be a string.`) };
    }
    settings[key] = value;
  }
  return { settings };
}

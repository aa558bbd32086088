import { createHash } from 'node:crypto';

import { type EmulatorRequest, httpDate, isRecord, jsonBody, type Reply } from '../shared/http';
import { authenticate } from './auth';
import { parseFilter } from './filters';
import { KV_TYPE, KVSET_TYPE, locked, notImplemented, problem } from './responses';
import type { KeyValueState, KeyValueStore } from './store';

/** Data-plane versions accepted: the recordings' `1.0` and the GA versions up to the installed SDK's. */
export const APP_CONFIGURATION_API_VERSIONS = [
  '1.0',
  '2023-10-01',
  '2023-11-01',
  '2024-09-01',
  '2026-04-01',
] as const;

const FIELDS = ['etag', 'key', 'label', 'content_type', 'value', 'tags', 'locked', 'last_modified'] as const;
type Field = (typeof FIELDS)[number];

export interface AppConfigurationHandlerOptions {
  readonly store: KeyValueStore;
  readonly tokens: readonly string[];
  /** HMAC credentials: id → base64 secret. */
  readonly hmac: ReadonlyMap<string, string>;
  readonly pageSize: number;
}

/** Routes one App Configuration request (REST reference: learn.microsoft.com/azure/azure-app-configuration/rest-api). */
export function appConfigurationHandler(
  options: AppConfigurationHandlerOptions,
): (request: EmulatorRequest) => Reply {
  return (request) => {
    const denied = authenticate(request, options);
    if (denied) {
      return denied;
    }
    const apiVersion = request.query('api-version');
    if (
      apiVersion === undefined ||
      !(APP_CONFIGURATION_API_VERSIONS as readonly string[]).includes(apiVersion)
    ) {
      return problem(400, 'invalid-argument', `Invalid api-version '${apiVersion ?? ''}'`, 'api-version');
    }
    const context: Context = { request, apiVersion, store: options.store, pageSize: options.pageSize };
    const path = request.rawPath;
    if (path === '/kv' || path === '/kv/') {
      return request.method === 'GET' || request.method === 'HEAD' ? list(context) : notImplemented(request);
    }
    if (path.startsWith('/kv/')) {
      return keyValue(context, decodeURIComponent(path.slice('/kv/'.length)));
    }
    if (path.startsWith('/locks/')) {
      return lock(context, decodeURIComponent(path.slice('/locks/'.length)));
    }
    return notImplemented(request);
  };
}

interface Context {
  readonly request: EmulatorRequest;
  readonly apiVersion: string;
  readonly store: KeyValueStore;
  readonly pageSize: number;
}

function keyValue(context: Context, key: string): Reply {
  const { request, store } = context;
  const label = labelOf(request);
  const existing = store.get(key, label);
  switch (request.method) {
    case 'GET':
    case 'HEAD': {
      if (!existing) {
        return withSync(context, { status: 404 });
      }
      const failed = preconditions(request, existing, true);
      if (failed) {
        return withSync(context, failed);
      }
      return kvReply(context, existing, request.method === 'HEAD');
    }
    case 'PUT': {
      const failed = preconditions(request, existing, false);
      if (failed) {
        return withSync(context, failed);
      }
      if (existing?.locked) {
        return locked(key);
      }
      const body = jsonBody(request);
      const input = readInput(body);
      if (typeof input === 'string') {
        return problem(400, 'invalid-argument', input, 'body');
      }
      return kvReply(context, store.put(key, label, input, 'client'));
    }
    case 'DELETE': {
      const failed = preconditions(request, existing, false);
      if (failed) {
        return withSync(context, failed);
      }
      if (!existing) {
        return withSync(context, { status: 204, headers: { 'Content-Type': KV_TYPE } });
      }
      if (existing.locked) {
        return locked(key);
      }
      store.delete(key, label, 'client');
      return kvReply(context, existing);
    }
    default:
      return notImplemented(request);
  }
}

function lock(context: Context, key: string): Reply {
  const { request, store } = context;
  if (request.method !== 'PUT' && request.method !== 'DELETE') {
    return notImplemented(request);
  }
  const existing = store.get(key, labelOf(request));
  const failed = preconditions(request, existing, false);
  if (failed) {
    return withSync(context, failed);
  }
  if (!existing) {
    return withSync(context, { status: 404 });
  }
  return kvReply(context, store.setLocked(existing, request.method === 'PUT', 'client'));
}

function list(context: Context): Reply {
  const { request, store } = context;
  const keyFilter = parseFilter(request.query('key'));
  if (keyFilter === 'invalid') {
    return problem(400, 'invalid-argument', "Invalid request parameter 'key'", 'key');
  }
  const labelFilter = parseFilter(request.query('label'));
  if (labelFilter === 'invalid') {
    return problem(400, 'invalid-argument', "Invalid request parameter 'label'", 'label');
  }
  const select = selectedFields(request);
  if (select === 'invalid') {
    return problem(400, 'invalid-argument', "Invalid request parameter '$select'", '$select');
  }
  const matching = store.all().filter((kv) => keyFilter(kv.key) && labelFilter(kv.label));
  const after = request.query('after');
  let start = 0;
  if (after !== undefined) {
    const position = decodeAfter(after);
    if (position === undefined) {
      return problem(400, 'invalid-argument', "Invalid request parameter 'after'", 'after');
    }
    start = matching.findIndex((kv) => afterPosition(kv, position));
    if (start === -1) {
      start = matching.length;
    }
  }
  const items = matching.slice(start, start + context.pageSize);
  const last = items.at(-1);
  const headers: Record<string, string> = {
    'Content-Type': KVSET_TYPE,
    ETag: quote(pageEtag(items)),
    'Sync-Token': store.syncToken(),
  };
  let nextLink: string | undefined;
  if (last && start + context.pageSize < matching.length) {
    const query = new URLSearchParams();
    query.set('api-version', context.apiVersion);
    for (const name of ['key', 'label', '$select']) {
      const value = request.query(name);
      if (value !== undefined) {
        query.set(name, value);
      }
    }
    query.set('after', encodeAfter(last));
    nextLink = `/kv?${query.toString()}`;
    headers.Link = `<${nextLink}>; rel="next"`;
  }
  if (ifNoneMatch(request, headers.ETag ?? '')) {
    return {
      status: 304,
      headers: { ETag: headers.ETag ?? '', 'Sync-Token': store.syncToken(), ...linkOf(headers) },
    };
  }
  if (request.method === 'HEAD') {
    return { status: 200, headers };
  }
  const body: Record<string, unknown> = { items: items.map((kv) => serialize(kv, select)) };
  if (nextLink !== undefined) {
    body['@nextLink'] = nextLink;
  }
  return { status: 200, headers, body };
}

/** If-Match / If-None-Match against the current key-value (RFC 7232; `*` means "exists"). */
function preconditions(
  request: EmulatorRequest,
  existing: KeyValueState | undefined,
  read: boolean,
): Reply | undefined {
  const ifMatch = request.header('if-match');
  if (ifMatch !== undefined && !etagMatches(ifMatch, existing)) {
    return { status: 412 };
  }
  const noneMatch = request.header('if-none-match');
  if (noneMatch !== undefined && etagMatches(noneMatch, existing)) {
    return read && existing ? { status: 304, headers: { ETag: quote(existing.etag) } } : { status: 412 };
  }
  return undefined;
}

function etagMatches(header: string, existing: KeyValueState | undefined): boolean {
  if (!existing) {
    return false;
  }
  return header
    .split(',')
    .map((part) => part.trim())
    .some((part) => part === '*' || unquote(part) === existing.etag);
}

function ifNoneMatch(request: EmulatorRequest, etag: string): boolean {
  const header = request.header('if-none-match');
  return header !== undefined && header.split(',').some((part) => part.trim() === etag);
}

function kvReply(context: Context, kv: KeyValueState, headOnly = false): Reply {
  const select = selectedFields(context.request);
  const headers = {
    'Content-Type': KV_TYPE,
    ETag: quote(kv.etag),
    'Last-Modified': httpDate(kv.lastModified),
    'Sync-Token': context.store.syncToken(),
  };
  return {
    status: 200,
    headers,
    ...(headOnly ? {} : { body: serialize(kv, select === 'invalid' ? undefined : select) }),
  };
}

function serialize(kv: KeyValueState, select?: readonly Field[]): Record<string, unknown> {
  const full: Record<Field, unknown> = {
    etag: kv.etag,
    key: kv.key,
    label: kv.label,
    content_type: kv.contentType,
    value: kv.value,
    tags: kv.tags,
    locked: kv.locked,
    last_modified: kv.lastModified.toISOString().replace(/\.\d{3}Z$/, '+00:00'),
  };
  const fields = select ?? FIELDS;
  return Object.fromEntries(
    FIELDS.filter((field) => fields.includes(field)).map((field) => [field, full[field]]),
  );
}

function selectedFields(request: EmulatorRequest): Field[] | undefined | 'invalid' {
  const raw = request.query('$select');
  if (raw === undefined) {
    return undefined;
  }
  const fields = raw.split(',').map((field) => field.trim());
  return fields.every((field): field is Field => (FIELDS as readonly string[]).includes(field))
    ? fields
    : 'invalid';
}

function readInput(
  body: unknown,
): { value: string | null; contentType: string | null; tags: Record<string, string> } | string {
  if (!isRecord(body)) {
    return 'The request body must be a JSON object.';
  }
  const value = body.value ?? null;
  const contentType = body.content_type ?? null;
  const tags = body.tags ?? {};
  if (value !== null && typeof value !== 'string') {
    return "Invalid value for 'value'";
  }
  if (contentType !== null && typeof contentType !== 'string') {
    return "Invalid value for 'content_type'";
  }
  if (!isRecord(tags) || !Object.values(tags).every((tag) => typeof tag === 'string')) {
    return "Invalid value for 'tags'";
  }
  return { value, contentType, tags: tags as Record<string, string> };
}

/** The label of a single key-value request: absent, empty or `%00` means the null label. */
function labelOf(request: EmulatorRequest): string | null {
  const label = request.query('label');
  return label === undefined || label === '' || label === '\0' ? null : label;
}

function withSync(context: Context, reply: Reply): Reply {
  return { ...reply, headers: { ...reply.headers, 'Sync-Token': context.store.syncToken() } };
}

function pageEtag(items: readonly KeyValueState[]): string {
  return createHash('sha256')
    .update(items.map((kv) => kv.etag).join(','))
    .digest('base64url');
}

function encodeAfter(kv: KeyValueState): string {
  return Buffer.from(JSON.stringify([kv.key, kv.label])).toString('base64url');
}

function decodeAfter(token: string): readonly [string, string | null] | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(parsed) &&
      typeof parsed[0] === 'string' &&
      (typeof parsed[1] === 'string' || parsed[1] === null)
    ) {
      return [parsed[0], parsed[1] as string | null];
    }
  } catch {
    // fall through
  }
  return undefined;
}

/** True for the first key-value that sorts after the continuation position. */
function afterPosition(kv: KeyValueState, [key, label]: readonly [string, string | null]): boolean {
  return kv.key > key || (kv.key === key && (kv.label ?? '') > (label ?? ''));
}

function linkOf(headers: Record<string, string>): Record<string, string> {
  return headers.Link === undefined ? {} : { Link: headers.Link };
}

function quote(etag: string): string {
  return `"${etag}"`;
}

function unquote(value: string): string {
  return value.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
}

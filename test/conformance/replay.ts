import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { dirname, join, resolve } from 'node:path';

/** One exchange of an Azure SDK test-proxy recording. */
export interface RecordedEntry {
  readonly RequestUri: string;
  readonly RequestMethod: string;
  readonly RequestHeaders: Readonly<Record<string, string>>;
  readonly RequestBody: unknown;
  readonly StatusCode: number;
  readonly ResponseHeaders: Readonly<Record<string, string>>;
  readonly ResponseBody: unknown;
}

export interface Recording {
  readonly Entries: readonly RecordedEntry[];
}

export interface OutgoingRequest {
  readonly method: string;
  readonly pathAndQuery: string;
  readonly body: string;
}

export interface ReplayTarget {
  readonly url: string;
  readonly ca: string;
  /** Authorization headers for a request the recording sent authenticated. */
  authorize(request: OutgoingRequest): Record<string, string>;
}

/** Request headers whose value changes what the service does. */
const REPLAYED_HEADERS = ['if-match', 'if-none-match', 'content-type', 'accept'];
/** Response headers that must be present whenever the recording has them. */
const CHECKED_HEADERS = [
  'www-authenticate',
  'etag',
  'sync-token',
  'last-modified',
  'content-type',
  'link',
  'retry-after',
];

/**
 * Where the conformance data lives: `KEYTURN_CONFORMANCE_DIR`, else `../shared/conformance` next to
 * the repository root (the nearest folder above this file that holds package.json).
 */
export function conformanceDirectory(): string {
  const override = process.env.KEYTURN_CONFORMANCE_DIR;
  if (override !== undefined && override !== '') {
    return resolve(override);
  }
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) {
      return resolve(process.cwd(), '..', 'shared', 'conformance');
    }
    dir = parent;
  }
  return resolve(dir, '..', 'shared', 'conformance');
}

export function recordingFiles(folder: string): string[] {
  return existsSync(folder)
    ? readdirSync(folder)
        .filter((name) => name.endsWith('.json'))
        .sort()
    : [];
}

export function loadRecording(path: string): Recording {
  return JSON.parse(readFileSync(path, 'utf8')) as Recording;
}

/**
 * Replays a recording against an emulator, request by request, and returns every difference:
 * status codes must be equal, recorded headers present, and bodies of the same shape (field names
 * and JSON types). Ids, versions, ETags, skip tokens and timestamps differ between the two; the
 * replay learns the emulator's values from each response and substitutes them into later requests.
 */
export async function replay(recording: Recording, target: ReplayTarget): Promise<string[]> {
  const substitutions = new Substitutions();
  const problems: string[] = [];
  for (const [index, entry] of recording.Entries.entries()) {
    const recordedUrl = new URL(entry.RequestUri);
    const pathAndQuery = substitutions.rewriteUrl(recordedUrl);
    const body =
      entry.RequestBody === null || entry.RequestBody === undefined
        ? ''
        : JSON.stringify(substitutions.rewrite(entry.RequestBody));
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(entry.RequestHeaders)) {
      if (REPLAYED_HEADERS.includes(name.toLowerCase())) {
        headers[name] = substitutions.rewriteHeader(value);
      }
    }
    if (hasHeader(entry.RequestHeaders, 'authorization')) {
      Object.assign(headers, target.authorize({ method: entry.RequestMethod, pathAndQuery, body }));
    }
    const response = await send(target, entry.RequestMethod, pathAndQuery, headers, body);
    const where = `#${index} ${entry.RequestMethod} ${recordedUrl.pathname}`;
    if (response.status !== entry.StatusCode) {
      problems.push(
        `${where}: status ${response.status}, recorded ${entry.StatusCode}; body ${response.body.slice(0, 300)}`,
      );
      break;
    }
    for (const name of CHECKED_HEADERS) {
      const recorded = headerValue(entry.ResponseHeaders, name);
      const actual = response.headers[name];
      if (recorded !== undefined && actual === undefined) {
        problems.push(`${where}: header ${name} missing`);
      } else if (recorded !== undefined && actual !== undefined) {
        const mismatch = compareHeader(name, recorded, actual);
        if (mismatch !== undefined) {
          problems.push(`${where}: header ${name} ${mismatch}`);
        }
      }
    }
    const actualBody = parseBody(response.body);
    for (const difference of shapeDifferences(entry.ResponseBody, actualBody, '$')) {
      problems.push(`${where}: ${difference}`);
    }
    substitutions.learn(entry.ResponseBody, actualBody);
    const recordedEtag = headerValue(entry.ResponseHeaders, 'etag');
    const actualEtag = response.headers.etag;
    if (recordedEtag !== undefined && actualEtag !== undefined) {
      substitutions.add(unquote(recordedEtag), unquote(actualEtag));
    }
  }
  return problems;
}

/** Differences in shape: field names, JSON types, and empty versus non-empty arrays. */
export function shapeDifferences(expected: unknown, actual: unknown, path: string): string[] {
  const expectedType = jsonType(expected);
  const actualType = jsonType(actual);
  if (expectedType !== actualType) {
    return [`${path}: recorded ${expectedType}, emulator ${actualType}`];
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if ((expected.length === 0) !== (actual.length === 0)) {
      return [`${path}: recorded ${expected.length} items, emulator ${actual.length}`];
    }
    // A list may hold objects of several shapes (the recorded vault also held certificates): each
    // emulator item must match one recorded item.
    return actual.flatMap((item, index) => {
      const candidates = expected.map((recorded) => shapeDifferences(recorded, item, `${path}[${index}]`));
      return candidates.some((differences) => differences.length === 0)
        ? []
        : (candidates.sort((a, b) => a.length - b.length)[0] ?? []);
    });
  }
  if (isObject(expected) && isObject(actual)) {
    const differences: string[] = [];
    for (const key of Object.keys(expected)) {
      if (!(key in actual)) {
        differences.push(`${path}.${key}: missing`);
      } else {
        differences.push(...shapeDifferences(expected[key], actual[key], `${path}.${key}`));
      }
    }
    for (const key of Object.keys(actual)) {
      if (!(key in expected)) {
        differences.push(`${path}.${key}: not in the recording`);
      }
    }
    return differences;
  }
  return [];
}

/** Recorded value → emulator value, learned from responses; the first mapping of a value wins. */
class Substitutions {
  private readonly map = new Map<string, string>();

  add(recorded: string, actual: string): void {
    if (recorded !== actual && recorded !== '' && !this.map.has(recorded)) {
      this.map.set(recorded, actual);
    }
  }

  learn(recorded: unknown, actual: unknown): void {
    if (typeof recorded === 'string' && typeof actual === 'string') {
      this.add(recorded, actual);
      const recordedUrl = asUrl(recorded);
      const actualUrl = asUrl(actual);
      if (recordedUrl && actualUrl) {
        const left = recordedUrl.pathname.split('/');
        const right = actualUrl.pathname.split('/');
        if (left.length === right.length) {
          left.forEach((segment, index) => {
            this.add(decodeURIComponent(segment), decodeURIComponent(right[index] ?? ''));
          });
        }
        for (const [name, value] of recordedUrl.searchParams) {
          const other = actualUrl.searchParams.get(name);
          if (other !== null) {
            this.add(value, other);
          }
        }
      }
    } else if (Array.isArray(recorded) && Array.isArray(actual)) {
      recorded.forEach((item, index) => {
        this.learn(item, actual[index]);
      });
    } else if (isObject(recorded) && isObject(actual)) {
      for (const [key, value] of Object.entries(recorded)) {
        this.learn(value, actual[key]);
      }
    }
  }

  rewrite(value: unknown): unknown {
    if (typeof value === 'string') {
      return this.map.get(value) ?? value;
    }
    if (Array.isArray(value)) {
      return value.map((item) => this.rewrite(item));
    }
    if (isObject(value)) {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.rewrite(item)]));
    }
    return value;
  }

  rewriteHeader(value: string): string {
    const direct = this.map.get(value);
    if (direct !== undefined) {
      return direct;
    }
    const inner = this.map.get(unquote(value));
    return inner === undefined ? value : `"${inner}"`;
  }

  rewriteUrl(url: URL): string {
    const path = url.pathname
      .split('/')
      .map((segment) => encodeURIComponent(this.rewrite(decodeURIComponent(segment)) as string))
      .join('/');
    const query = new URLSearchParams();
    for (const [name, value] of url.searchParams) {
      query.append(name, this.rewrite(value) as string);
    }
    const search = query.toString();
    return search === '' ? path : `${path}?${search}`;
  }
}

interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string;
}

function send(
  target: ReplayTarget,
  method: string,
  pathAndQuery: string,
  headers: Record<string, string>,
  body: string,
): Promise<RawResponse> {
  return new Promise((resolvePromise, reject) => {
    const outgoing = request(
      `${target.url}${pathAndQuery}`,
      {
        method,
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        ca: target.ca,
        agent: false,
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () => {
          const flat: Record<string, string | undefined> = {};
          for (const [name, value] of Object.entries(incoming.headers)) {
            flat[name] = Array.isArray(value) ? value.join(', ') : value;
          }
          resolvePromise({
            status: incoming.statusCode ?? 0,
            headers: flat,
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

function compareHeader(name: string, recorded: string, actual: string): string | undefined {
  if (name === 'content-type') {
    const media = (value: string): string => value.split(';')[0]?.trim().toLowerCase() ?? '';
    return media(recorded) === media(actual) ? undefined : `is ${actual}, recorded ${recorded}`;
  }
  if (name === 'www-authenticate') {
    const parameters = (value: string): Map<string, string> =>
      new Map([...value.matchAll(/(\w+)="([^"]*)"/g)].map((match) => [match[1] ?? '', match[2] ?? '']));
    const left = parameters(recorded);
    const right = parameters(actual);
    const sameNames = [...left.keys()].join(',') === [...right.keys()].join(',');
    return sameNames && left.get('resource') === right.get('resource')
      ? undefined
      : `is ${actual}, recorded ${recorded}`;
  }
  if (name === 'sync-token') {
    return /^[^=]+=[^;]+;sn=\d+$/.test(actual) ? undefined : `is ${actual}, not id=value;sn=number`;
  }
  return undefined;
}

function parseBody(text: string): unknown {
  if (text === '') {
    return null;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function jsonType(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asUrl(value: string): URL | undefined {
  if (!/^https?:\/\//.test(value)) {
    return undefined;
  }
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

function hasHeader(headers: Readonly<Record<string, string>>, name: string): boolean {
  return headerValue(headers, name) !== undefined;
}

function headerValue(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  const found = Object.entries(headers).find(([key]) => key.toLowerCase() === name);
  return found?.[1];
}

function unquote(value: string): string {
  return value.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
}

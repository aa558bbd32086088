import type { IncomingHttpHeaders } from 'node:http';

/** One request as an emulator sees it. */
export interface EmulatorRequest {
  readonly method: string;
  /** Path and query exactly as the client sent them (HMAC signatures cover this form). */
  readonly rawUrl: string;
  /** The raw path, still percent-encoded, without the query. */
  readonly rawPath: string;
  readonly url: URL;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** A request header by case-insensitive name; repeated headers are joined with ", ". */
  header(name: string): string | undefined;
  /** A query parameter by case-insensitive name (Azure SDKs disagree on `After`/`after`). */
  query(name: string): string | undefined;
}

/** What an emulator answers. A string body is sent as is; any other defined body as JSON. */
export interface Reply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

export function createRequest(
  method: string,
  rawUrl: string,
  origin: string,
  headers: IncomingHttpHeaders,
  body: string,
): EmulatorRequest {
  const url = new URL(rawUrl, origin);
  const queryIndex = rawUrl.indexOf('?');
  const rawPath = queryIndex === -1 ? rawUrl : rawUrl.slice(0, queryIndex);
  return {
    method,
    rawUrl,
    rawPath,
    url,
    headers,
    body,
    header(name) {
      const value = headers[name.toLowerCase()];
      return Array.isArray(value) ? value.join(', ') : value;
    },
    query(name) {
      const lower = name.toLowerCase();
      for (const [key, value] of url.searchParams) {
        if (key.toLowerCase() === lower) {
          return value;
        }
      }
      return undefined;
    },
  };
}

/** The request body as JSON, or undefined when it is empty or not JSON. */
export function jsonBody(request: EmulatorRequest): unknown {
  if (request.body.trim() === '') {
    return undefined;
  }
  try {
    return JSON.parse(request.body) as unknown;
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Path segments after a prefix, each percent-decoded; undefined when the path does not start with it. */
export function segmentsAfter(rawPath: string, prefix: string): string[] | undefined {
  if (
    rawPath.toLowerCase() !== prefix.toLowerCase() &&
    !rawPath.toLowerCase().startsWith(`${prefix.toLowerCase()}/`)
  ) {
    return undefined;
  }
  const rest = rawPath.slice(prefix.length);
  if (rest === '') {
    return [];
  }
  return rest
    .slice(1)
    .split('/')
    .map((segment) => decodeURIComponent(segment));
}

/** HTTP-date (RFC 7231) for a timestamp. */
export function httpDate(date: Date): string {
  return date.toUTCString();
}

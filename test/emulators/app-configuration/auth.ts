import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

import { bearerToken } from '../shared/credential';
import type { EmulatorRequest, Reply } from '../shared/http';
import { PROBLEM_TYPE } from './responses';

const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

/** Accepts a configured bearer token or a valid HMAC-SHA256 signature; anything else gets a 401 reply. */
export function authenticate(
  request: EmulatorRequest,
  options: { readonly tokens: readonly string[]; readonly hmac: ReadonlyMap<string, string> },
): Reply | undefined {
  const authorization = request.header('authorization') ?? '';
  const token = bearerToken(authorization);
  if (token !== undefined) {
    return options.tokens.includes(token) ? undefined : unauthorized('The access token is not valid.');
  }
  if (authorization.startsWith('HMAC-SHA256 ')) {
    const failure = verifyHmac(request, authorization.slice('HMAC-SHA256 '.length), options.hmac);
    return failure === undefined ? undefined : unauthorized(failure);
  }
  return unauthorized('The Authorization header is missing.');
}

/** Checks the SDK's HMAC-SHA256 signature: VERB \n path?query \n x-ms-date;host;x-ms-content-sha256. */
function verifyHmac(
  request: EmulatorRequest,
  parameters: string,
  credentials: ReadonlyMap<string, string>,
): string | undefined {
  const fields = new Map(
    parameters.split('&').map((part) => {
      const index = part.indexOf('=');
      return [part.slice(0, index), part.slice(index + 1)] as const;
    }),
  );
  const secret = credentials.get(fields.get('Credential') ?? '');
  if (secret === undefined) {
    return 'Unknown HMAC credential.';
  }
  if (fields.get('SignedHeaders') !== 'x-ms-date;host;x-ms-content-sha256') {
    return 'Unsupported SignedHeaders.';
  }
  const date = request.header('x-ms-date') ?? '';
  if (!(Math.abs(Date.now() - Date.parse(date)) <= MAX_CLOCK_SKEW_MS)) {
    return 'The x-ms-date header is missing or more than 15 minutes off.';
  }
  const contentHash = request.header('x-ms-content-sha256') ?? '';
  if (contentHash !== createHash('sha256').update(request.body).digest('base64')) {
    return 'The x-ms-content-sha256 header does not match the body.';
  }
  const toSign = `${request.method}\n${request.rawUrl}\n${date};${request.header('host') ?? ''};${contentHash}`;
  const expected = createHmac('sha256', Buffer.from(secret, 'base64')).update(toSign).digest();
  const given = Buffer.from(fields.get('Signature') ?? '', 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected)
    ? undefined
    : 'Invalid signature.';
}

function unauthorized(detail: string): Reply {
  return {
    status: 401,
    headers: { 'WWW-Authenticate': 'HMAC-SHA256, Bearer', 'Content-Type': PROBLEM_TYPE },
    body: { type: 'https://azconfig.io/errors/unauthorized', title: 'Unauthorized', detail, status: 401 },
  };
}

import type { HttpRequest } from '@azure/functions';
import { z } from 'zod';

import { parseOrThrow } from '../config/validate';
import { InvalidInputError } from '../core/errors';

const MAX_BODY_CHARS = 16 * 1024;

/** Parses a JSON body with a schema; every problem names its field (`body.reason`). */
export async function readJsonBody<S extends z.ZodType>(
  request: HttpRequest,
  schema: S,
): Promise<z.infer<S>> {
  const text = await request.text();
  if (text.length > MAX_BODY_CHARS) {
    throw new InvalidInputError('request body', [
      { path: 'body', message: `must be at most ${MAX_BODY_CHARS} characters` },
    ]);
  }
  let parsed: unknown = {};
  if (text.trim().length > 0) {
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new InvalidInputError('request body', [{ path: 'body', message: 'is not valid JSON' }]);
    }
  }
  return parseOrThrow(schema, parsed, 'request body', 'body');
}

/**
 * Parses the query string with a schema. Unknown parameters are refused (so a typo is not silently
 * ignored), except `code`, which carries the function key.
 */
export function readQuery<S extends z.ZodObject>(request: HttpRequest, schema: S): z.infer<S> {
  const query: Record<string, string> = {};
  for (const [name, value] of request.query) if (name !== 'code') query[name] = value;
  return parseOrThrow(schema.strict(), query, 'query string', 'query') as z.infer<S>;
}

/** A path parameter that must look like an identifier. */
export function readIdParam(request: HttpRequest, name: string, pattern: RegExp): string {
  const value = request.params[name] ?? '';
  if (!pattern.test(value)) {
    throw new InvalidInputError('path', [
      { path: `path.${name}`, message: `"${value.slice(0, 80)}" is not a valid ${name}` },
    ]);
  }
  return value;
}

/**
 * Who is asking: the principal App Service Authentication vouches for, else the name the caller
 * gives (recorded as a claim), else the fact that a function key was used.
 */
export function requesterOf(request: HttpRequest, claimed?: string): string {
  const principal = request.headers.get('x-ms-client-principal-name');
  if (principal) return `user:${principal}`;
  if (claimed) return `api:${claimed}`;
  return 'api:function-key';
}

export const reasonSchema = z.string().trim().min(3, 'must say why, in at least 3 characters').max(500);

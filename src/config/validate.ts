import type { z } from 'zod';

import { type FieldIssue, InvalidInputError } from '../core/errors';

/** `credentials[2].targets[0].path` from a zod issue path. */
export function formatPath(path: readonly PropertyKey[], root?: string): string {
  let out = root ?? '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out.length === 0 ? String(segment) : `.${String(segment)}`;
  }
  return out.length === 0 ? '(root)' : out;
}

export function toFieldIssues(error: z.ZodError, root?: string): FieldIssue[] {
  return error.issues.map((issue) => ({ path: formatPath(issue.path, root), message: issue.message }));
}

/**
 * Parses input with a schema, or throws an InvalidInputError whose issues name every bad field
 * (`source` says what was parsed: "configuration", "request body", …).
 */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  input: unknown,
  source: string,
  root?: string,
): z.infer<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new InvalidInputError(source, toFieldIssues(result.error, root));
  return result.data;
}

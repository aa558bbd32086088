/**
 * keyturn's error classes. Every error carries a kind (which the HTTP edge maps to a closed set of
 * codes), whether retrying may help, the ids involved, and the original cause. Messages and
 * details name resources and fields, never secret values.
 */
export type ErrorKind =
  | 'invalid-input'
  | 'not-found'
  | 'conflict'
  | 'policy'
  | 'unavailable'
  | 'throttled'
  | 'forbidden'
  | 'validation-failed'
  | 'integrity'
  | 'internal';

export type ErrorDetails = Readonly<Record<string, string | number | boolean | undefined>>;

export class KeyturnError extends Error {
  readonly kind: ErrorKind;
  readonly retryable: boolean;
  readonly details: ErrorDetails;

  constructor(
    kind: ErrorKind,
    message: string,
    options: { retryable?: boolean; details?: ErrorDetails; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KeyturnError';
    this.kind = kind;
    this.retryable = options.retryable ?? (kind === 'unavailable' || kind === 'throttled');
    this.details = options.details ?? {};
  }
}

export interface FieldIssue {
  /** Path of the offending field, e.g. `credentials[2].targets[0].path` or `body.reason`. */
  readonly path: string;
  readonly message: string;
}

/** Input (configuration, request body, query) that does not satisfy its schema. */
export class InvalidInputError extends KeyturnError {
  readonly issues: readonly FieldIssue[];

  constructor(source: string, issues: readonly FieldIssue[]) {
    super('invalid-input', `Invalid ${source}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, {
      retryable: false,
      details: { source },
    });
    this.name = 'InvalidInputError';
    this.issues = issues;
  }
}

export function isKeyturnError(error: unknown): error is KeyturnError {
  return error instanceof KeyturnError;
}

/** The message of any thrown value, for logs and failure records. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

import type { FailureDetails } from './history';

export function toFailureDetails(error: unknown): FailureDetails {
  const err = error instanceof Error ? error : new Error(String(error));
  // With an exception-properties provider registered, the SDK moves the details into the message.
  if (err.message.startsWith('{')) {
    try {
      const parsed = JSON.parse(err.message) as {
        errorType?: string;
        errorMessage?: string;
        stackTrace?: string;
        isNonRetriable?: boolean;
        properties?: Record<string, unknown>;
      };
      if (parsed.errorType !== undefined) {
        return {
          ErrorType: parsed.errorType,
          ErrorMessage: parsed.errorMessage ?? '',
          ...(parsed.stackTrace !== undefined && { StackTrace: parsed.stackTrace }),
          IsNonRetriable: parsed.isNonRetriable ?? false,
          ...(parsed.properties !== undefined && { Properties: parsed.properties }),
        };
      }
    } catch {
      // Not the provider's JSON: fall through to the plain error.
    }
  }
  return {
    ErrorType: err.name,
    ErrorMessage: err.message,
    ...(err.stack !== undefined && { StackTrace: err.stack }),
    IsNonRetriable: false,
  };
}

export function assertValidInstanceId(id: string): void {
  // The ids become Table Storage partition keys.
  // eslint-disable-next-line no-control-regex
  if (id.length === 0 || id.length > 256 || /[/\\#?\u0000-\u001f\u007f-\u009f]/.test(id)) {
    throw new RangeError(
      `Instance id "${id}" is invalid: use 1-256 characters without / \\ # ? or control characters.`,
    );
  }
}

import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/**
 * A key or other secret value in memory. It prints, serializes and inspects as `[redacted]`, so
 * passing it to a logger, an error message or JSON by mistake leaks nothing; `reveal()` is the
 * only way to the value and marks the few places that need it.
 */
export class SecretValue {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  equals(other: SecretValue): boolean {
    return this.#value === other.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

import { FormatError } from './format';

/** The reference tokens of an RFC 6901 JSON Pointer; `''` is the whole document. */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/') || /~(?![01])/.test(pointer)) {
    throw new FormatError(`${pointer} is not a JSON Pointer`);
  }
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replaceAll('~1', '/').replaceAll('~0', '~'));
}

export function formatPointer(tokens: readonly string[]): string {
  return tokens.map((token) => `/${token.replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

/** An array index as RFC 6901 spells it: no sign, no leading zeros. */
export function arrayIndex(token: string): number | undefined {
  return /^(?:0|[1-9][0-9]*)$/.test(token) ? Number(token) : undefined;
}

/** `/a/b` for messages about the first `depth` tokens of a pointer, or `the root`. */
export function describePrefix(tokens: readonly string[], depth: number): string {
  return depth === 0 ? 'the root' : formatPointer(tokens.slice(0, depth));
}

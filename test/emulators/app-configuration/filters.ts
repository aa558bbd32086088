/**
 * Key and label filters of `GET /kv` (REST reference "Key-values", section Filtering): omitted or `*`
 * matches anything; `abc*` is a prefix; `a,b` is a list of up to five; `\0` (`%00`) is the null
 * label; `\` escapes `*`, `,` and `\`.
 */
export type Filter = (value: string | null) => boolean;

const MAX_ALTERNATIVES = 5;

export function parseFilter(raw: string | undefined): Filter | 'invalid' {
  if (raw === undefined || raw === '*') {
    return () => true;
  }
  const alternatives = split(raw);
  if (alternatives === 'invalid' || alternatives.length > MAX_ALTERNATIVES) {
    return 'invalid';
  }
  const tests: Filter[] = [];
  for (const alternative of alternatives) {
    if (alternative.text === '\0' && !alternative.wildcard) {
      tests.push((value) => value === null);
    } else if (alternative.wildcard) {
      tests.push((value) => value !== null && value.startsWith(alternative.text));
    } else {
      tests.push((value) => value === alternative.text);
    }
  }
  return (value) => tests.some((test) => test(value));
}

interface Alternative {
  readonly text: string;
  /** A trailing unescaped `*`. */
  readonly wildcard: boolean;
}

function split(raw: string): Alternative[] | 'invalid' {
  const result: Alternative[] = [];
  let text = '';
  let wildcard = false;
  for (let index = 0; index < raw.length; index += 1) {
    const char = raw.charAt(index);
    if (wildcard && char !== ',') {
      return 'invalid';
    }
    if (char === '\\') {
      const next = raw.charAt(index + 1);
      if (next === '') {
        return 'invalid';
      }
      text += next;
      index += 1;
    } else if (char === ',') {
      result.push({ text, wildcard });
      text = '';
      wildcard = false;
    } else if (char === '*') {
      wildcard = true;
    } else {
      text += char;
    }
  }
  result.push({ text, wildcard });
  return result;
}

import {
  appendLine,
  detectEol,
  type FormatCodec,
  FormatError,
  removeLines,
  splice,
  splitLines,
} from './format';

/**
 * `.env` files as dotenv parsers read them: `[export ]KEY=value`, where the value is unquoted
 * (ending at a `#` that starts the value or follows whitespace, trailing blanks trimmed),
 * 'single-quoted' (literal) or "double-quoted" (`\n`, `\r`, `\t`, `\\` and `\"` escapes). Quoted
 * values may span lines. Lines that are not entries are kept as they are.
 *
 * When a key occurs more than once the last occurrence is the one read and updated, because that
 * is the one dotenv-style loaders end up with; `remove` deletes every occurrence.
 */

const entryPattern = /^[ \t]*(export[ \t]+)?([A-Za-z0-9_.-]+)[ \t]*=[ \t]*/;

interface Entry {
  readonly key: string;
  readonly exported: boolean;
  readonly start: number;
  /** Just past the terminator of the entry's last line. */
  readonly next: number;
  readonly valueStart: number;
  readonly valueEnd: number;
  /** The value, or why it cannot be taken as one. */
  readonly value: string | FormatError;
}

const doubleQuoteEscapes: Readonly<Record<string, string>> = {
  n: '\n',
  r: '\r',
  t: '\t',
  '\\': '\\',
  '"': '"',
};

function closingQuote(text: string, from: number, quote: string): number {
  for (let index = from; index < text.length; index++) {
    const char = text[index];
    if (char === '\\' && quote === '"') index++;
    else if (char === quote) return index;
  }
  return -1;
}

function unquote(content: string, quote: string): string {
  const normalized = content.replace(/\r\n?/g, '\n');
  if (quote === "'") return normalized;
  return normalized.replace(/\\([nrt\\"])/g, (escape, char: string) => doubleQuoteEscapes[char] ?? escape);
}

function parse(text: string): Entry[] {
  const lines = splitLines(text);
  const entries: Entry[] = [];
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index];
    if (line === undefined) break;
    const match = entryPattern.exec(text.slice(line.start, line.end));
    if (match === null) continue;
    const key = match[2] ?? '';
    const valueStart = line.start + match[0].length;
    const entry = { key, exported: match[1] !== undefined, start: line.start, valueStart };
    const quote = text[valueStart];
    if (quote !== "'" && quote !== '"') {
      const raw = text.slice(valueStart, line.end);
      const comment = /(?:^|[ \t])#/.exec(raw);
      const value = (comment === null ? raw : raw.slice(0, comment.index)).replace(/[ \t]+$/, '');
      entries.push({ ...entry, next: line.next, valueEnd: valueStart + value.length, value });
      continue;
    }
    const close = closingQuote(text, valueStart + 1, quote);
    if (close === -1) {
      const value = new FormatError(`${key} on line ${index + 1} has no closing quote`);
      entries.push({ ...entry, next: line.next, valueEnd: line.end, value });
      continue;
    }
    const first = index + 1;
    while ((lines[index]?.end ?? text.length) < close) index++;
    const last = lines[index] ?? line;
    const value = /^[ \t]*(?:#.*)?$/.test(text.slice(close + 1, last.end))
      ? unquote(text.slice(valueStart + 1, close), quote)
      : new FormatError(`${key} on line ${first} has text after its closing quote`);
    entries.push({ ...entry, next: last.next, valueEnd: close + 1, value });
  }
  return entries;
}

function lastEntry(text: string, key: string): Entry | undefined {
  const entry = parse(text).findLast((candidate) => candidate.key === key);
  if (entry?.value instanceof FormatError) throw entry.value;
  return entry;
}

const bare = /^[A-Za-z0-9_.,:/+=@%~-]*$/;
const doubleQuoted: Readonly<Record<string, string>> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r' };

/**
 * The most portable spelling of a value. Bare when every dotenv dialect reads it alike (all
 * typical keys); single quotes, which every dialect takes literally, unless the value holds a
 * quote, a line break or backslash sequences that some dialects unescape in single quotes; double
 * quotes with `\\`, `\"`, `\n`, `\r` escapes otherwise. Those escapes are what python-dotenv,
 * Docker Compose, godotenv and this module read back; the npm `dotenv` package only unescapes `\n`
 * and `\r`, so it reads a value that needed double quotes exactly only when it has no `"` or `\`.
 */
export function quoteEnvValue(value: string): string {
  if (value.includes('\0')) {
    throw new FormatError('the value holds a NUL character, which no environment variable can hold');
  }
  if (bare.test(value)) return value;
  if (!/['\r\n]/.test(value) && !value.includes('\\\\') && !value.endsWith('\\')) return `'${value}'`;
  return `"${value.replace(/[\\"\n\r]/g, (char) => doubleQuoted[char] ?? char)}"`;
}

export const envCodec: FormatCodec = {
  read(text, key) {
    const value = lastEntry(text, key)?.value;
    return typeof value === 'string' ? value : undefined;
  },

  set(text, key, value) {
    const encoded = quoteEnvValue(value);
    const entry = lastEntry(text, key);
    if (entry !== undefined) {
      // A comment glued to the old value would otherwise become part of a bare new one.
      const guard = text[entry.valueEnd] === '#' ? ' ' : '';
      return splice(text, entry.valueStart, entry.valueEnd, encoded + guard);
    }
    // A file that exports its variables is sourced by a shell, where an unexported one is lost.
    const prefix = parse(text).some((candidate) => candidate.exported) ? 'export ' : '';
    return appendLine(text, `${prefix}${key}=${encoded}`, detectEol(text));
  },

  remove(text, key) {
    let result = text;
    for (let entry = lastEntry(result, key); entry !== undefined; entry = lastEntry(result, key)) {
      result = removeLines(result, entry.start, entry.next);
    }
    return result;
  },

  isEmpty: (text) => text.trim() === '',
};

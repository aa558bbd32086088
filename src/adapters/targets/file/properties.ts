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
 * `.properties` files as `java.util.Properties.load` reads them: a logical line continues while
 * its natural line ends in an odd run of backslashes (the next line's leading blanks dropped);
 * `#` and `!` start comment lines; the key ends at the first unescaped `=`, `:` or blank; and
 * `\uXXXX`, `\t`, `\n`, `\r`, `\f` and `\<char>` are escapes in keys and values. Values are
 * written the way `Properties.store` writes them, non-ASCII as `\uXXXX`, so the file reads the
 * same whether it is loaded as ISO-8859-1 or as UTF-8.
 *
 * When a key occurs more than once the last occurrence wins, as in Java; it is the one read and
 * updated, and `remove` deletes every occurrence.
 */

const blanks = new Set([' ', '\t', '\f']);

interface Entry {
  /** Undefined when the key has a malformed escape, so that it matches nothing. */
  readonly key: string | undefined;
  /** First natural line. */
  readonly start: number;
  /** Just past the terminator of the last natural line. */
  readonly next: number;
  readonly keyEnd: number;
  readonly valueStart: number;
  readonly valueEnd: number;
  /** Whether a separator or blank follows the key (a lone key has none). */
  readonly separated: boolean;
  readonly value: string | FormatError;
}

interface LogicalLine {
  readonly start: number;
  readonly next: number;
  /** End of the last natural line's content. */
  readonly valueEnd: number;
  /** 1-based number of the first natural line. */
  readonly line: number;
}

interface Parsed {
  readonly entries: Entry[];
  /** The last logical line asks to continue past the end of the file. */
  readonly dangling: boolean;
}

function skipBlanks(text: string, from: number, to: number): number {
  let index = from;
  while (index < to && blanks.has(text.charAt(index))) index++;
  return index;
}

function continues(text: string, from: number, to: number): boolean {
  let count = 0;
  for (let index = to - 1; index >= from && text[index] === '\\'; index--) count++;
  return count % 2 === 1;
}

const named: Readonly<Record<string, string>> = { t: '\t', n: '\n', r: '\r', f: '\f' };

function unescape(chars: readonly string[], from: number, to: number): string | undefined {
  let out = '';
  for (let index = from; index < to; index++) {
    const char = chars[index] ?? '';
    if (char !== '\\') {
      out += char;
      continue;
    }
    const escaped = chars[++index] ?? '';
    if (escaped === 'u') {
      const hex = chars.slice(index + 1, index + 5).join('');
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) return undefined;
      out += String.fromCharCode(Number.parseInt(hex, 16));
      index += 4;
    } else {
      out += named[escaped] ?? escaped;
    }
  }
  return out;
}

/** Splits one logical line as `Properties.load` does; `offsets` maps each char back to the text. */
function entryOf(chars: readonly string[], offsets: readonly number[], span: LogicalLine): Entry {
  const limit = chars.length;
  let keyLength = 0;
  let valueIndex = limit;
  let hasSeparator = false;
  let backslash = false;
  while (keyLength < limit) {
    const char = chars[keyLength] ?? '';
    if (!backslash && (char === '=' || char === ':')) {
      valueIndex = keyLength + 1;
      hasSeparator = true;
      break;
    }
    if (!backslash && blanks.has(char)) {
      valueIndex = keyLength + 1;
      break;
    }
    backslash = char === '\\' ? !backslash : false;
    keyLength++;
  }
  while (valueIndex < limit) {
    const char = chars[valueIndex] ?? '';
    if (!blanks.has(char)) {
      if (hasSeparator || (char !== '=' && char !== ':')) break;
      hasSeparator = true;
    }
    valueIndex++;
  }
  const after = (index: number) => (index > 0 ? (offsets[index - 1] ?? span.valueEnd) + 1 : span.start);
  const key = unescape(chars, 0, keyLength);
  const value = unescape(chars, valueIndex, limit);
  return {
    key,
    start: span.start,
    next: span.next,
    keyEnd: offsets[keyLength] ?? after(keyLength),
    // An empty value starts right after the separator, so that writing one also drops any
    // dangling continuation behind it.
    valueStart: valueIndex < limit ? (offsets[valueIndex] ?? span.valueEnd) : after(valueIndex),
    valueEnd: span.valueEnd,
    separated: valueIndex > keyLength,
    value:
      value ?? new FormatError(`${key ?? 'the key'} on line ${span.line} has a malformed \\uXXXX escape`),
  };
}

function parse(text: string): Parsed {
  const lines = splitLines(text);
  const entries: Entry[] = [];
  let dangling = false;
  for (let index = 0; index < lines.length; index++) {
    const first = lines[index];
    if (first === undefined) break;
    let from = skipBlanks(text, first.start, first.end);
    if (from === first.end || text[from] === '#' || text[from] === '!') continue;
    const line = index + 1;
    const chars: string[] = [];
    const offsets: number[] = [];
    let last = first;
    for (;;) {
      for (let offset = from; offset < last.end; offset++) {
        chars.push(text.charAt(offset));
        offsets.push(offset);
      }
      if (!continues(text, from, last.end)) break;
      chars.pop();
      offsets.pop();
      const following = lines[index + 1];
      if (following === undefined) {
        dangling = true;
        break;
      }
      index++;
      last = following;
      from = skipBlanks(text, last.start, last.end);
    }
    entries.push(entryOf(chars, offsets, { start: first.start, next: last.next, valueEnd: last.end, line }));
  }
  return { entries, dangling };
}

/** Escapes as `Properties.store` does; `key` also escapes every blank, a value only a leading one. */
export function escapeProperty(text: string, key: boolean): string {
  let out = '';
  for (let index = 0; index < text.length; index++) {
    const char = text.charAt(index);
    const code = text.charCodeAt(index);
    if (char === '\\') out += '\\\\';
    else if (char === ' ') out += index === 0 || key ? '\\ ' : ' ';
    else if (char === '\t') out += '\\t';
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\f') out += '\\f';
    else if ('=:#!'.includes(char)) out += `\\${char}`;
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
    else out += char;
  }
  return out;
}

function lastEntry(entries: readonly Entry[], key: string): Entry | undefined {
  const entry = entries.findLast((candidate) => candidate.key === key);
  if (entry?.value instanceof FormatError) throw entry.value;
  return entry;
}

/** The separator the file already uses (`=`, ` = `, `: `, a blank), so a new line looks like its neighbours. */
function separatorOf(text: string, entry: Entry | undefined): string {
  const separator = entry === undefined ? '' : text.slice(entry.keyEnd, entry.valueStart);
  return /^[ \t\f]*[=:]?[ \t\f]*$/.test(separator) && separator !== '' ? separator : '=';
}

export const propertiesCodec: FormatCodec = {
  read(text, key) {
    const value = lastEntry(parse(text).entries, key)?.value;
    return typeof value === 'string' ? value : undefined;
  },

  set(text, key, value) {
    const { entries, dangling } = parse(text);
    const encoded = escapeProperty(value, false);
    const entry = lastEntry(entries, key);
    if (entry !== undefined) {
      return splice(text, entry.valueStart, entry.valueEnd, (entry.separated ? '' : '=') + encoded);
    }
    const eol = detectEol(text);
    // An empty line ends a continuation that would otherwise swallow the new line.
    const base = dangling ? text + (/[\r\n]$/.test(text) ? eol : eol + eol) : text;
    const line = `${escapeProperty(key, true)}${separatorOf(text, entries.at(-1))}${encoded}`;
    return appendLine(base, line, eol);
  },

  remove(text, key) {
    let result = text;
    for (;;) {
      const entry = parse(result).entries.findLast((candidate) => candidate.key === key);
      if (entry === undefined) return result;
      result = removeLines(result, entry.start, entry.next);
    }
  },

  isEmpty: (text) => text.trim() === '',
};

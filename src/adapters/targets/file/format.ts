/**
 * What every file format module offers: pure functions over the file's text, no I/O. Each edit
 * leaves every byte outside the edited entry as it was (lines, comments, order, line endings and
 * the presence or absence of a trailing newline).
 */
export interface FormatCodec {
  /** The string at `key`, or undefined when the key is absent. */
  read(text: string, key: string): string | undefined;
  /** Replaces the value at `key`, or inserts the key when it is absent. */
  set(text: string, key: string, value: string): string;
  /**
   * Removes `key`; the text comes back unchanged when it is absent. Nested formats also remove the
   * parents that become empty, down to (not including) the ancestor at `keepDepth` segments, so
   * that removing what `set` created leaves the file as it was.
   */
  remove(text: string, key: string, keepDepth?: number): string;
  /** How many leading segments of the key's path exist (nested formats only). */
  existingDepth?(text: string, key: string): number;
  /** True when the text holds no entry at all (so a file keyturn created may be deleted). */
  isEmpty(text: string): boolean;
}

/**
 * A file, or the entry at the key, that cannot be read or written as its format says. The reason
 * names lines and keys, never values or file text, because it ends up in error messages.
 */
export class FormatError extends Error {
  override readonly name = 'FormatError';
}

export interface Line {
  /** Offset of the first character. */
  readonly start: number;
  /** Offset just past the content, before the terminator. */
  readonly end: number;
  /** Offset just past the terminator (equals `end` on a last line without one). */
  readonly next: number;
}

/** Natural lines, ended by CRLF, LF or CR; a terminator at the very end starts no further line. */
export function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  const pattern = /\r\n|\n|\r/g;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    lines.push({ start, end: match.index, next: match.index + match[0].length });
    start = match.index + match[0].length;
  }
  if (start < text.length) lines.push({ start, end: text.length, next: text.length });
  return lines;
}

/** The file's own line ending (its first one), so inserted lines match their neighbours. */
export function detectEol(text: string): string {
  return /\r\n|\n|\r/.exec(text)?.[0] ?? '\n';
}

function endsWithTerminator(text: string): boolean {
  return text.endsWith('\n') || text.endsWith('\r');
}

/**
 * Appends a line so that the file keeps, or keeps lacking, its trailing newline; `removeLines`
 * on the appended line gives back the original text exactly.
 */
export function appendLine(text: string, line: string, eol: string): string {
  if (text === '' || endsWithTerminator(text)) return text + line + eol;
  return text + eol + line;
}

/** Removes whole lines [start, next); a last line without terminator takes the preceding one along. */
export function removeLines(text: string, start: number, next: number): string {
  if (next === text.length && start > 0 && !endsWithTerminator(text.slice(start, next))) {
    const cut = text.slice(0, start).endsWith('\r\n') ? start - 2 : start - 1;
    return text.slice(0, cut);
  }
  return text.slice(0, start) + text.slice(next);
}

export function splice(text: string, start: number, end: number, insert: string): string {
  return text.slice(0, start) + insert + text.slice(end);
}

/** 1-based line number of an offset, for messages. */
export function lineOf(text: string, offset: number): number {
  return (text.slice(0, offset).match(/\r\n|\n|\r/g)?.length ?? 0) + 1;
}

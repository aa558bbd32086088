import {
  type Document,
  isAlias,
  isMap,
  isNode,
  isScalar,
  isSeq,
  type Pair,
  parse as parseYaml,
  parseDocument,
  type Scalar,
  type YAMLMap,
} from 'yaml';

import { detectEol, type FormatCodec, FormatError, lineOf, removeLines, splice } from './format';
import { arrayIndex, describePrefix, parsePointer } from './json-pointer';

/**
 * YAML located through the `yaml` package's Document API and edited by splicing the source at the
 * node's range, so every other byte (comments, quoting, indentation) stays as it was. Layouts a
 * splice cannot handle safely (flow collections, keys behind `- ` or `? `) are edited through the
 * Document API instead, which keeps comments but may re-indent the file. The key is a JSON
 * Pointer to a string; missing parent mappings are created on `set`, sequence items are not.
 */

type Parsed = Document.Parsed;

function parse(text: string): Parsed {
  const doc = parseDocument(text, { prettyErrors: false });
  const first = doc.errors[0];
  // The parser's own message quotes the offending source line, which may hold a secret.
  if (first !== undefined) {
    throw new FormatError(`the file is not valid YAML: ${first.code} on line ${lineOf(text, first.pos[0])}`);
  }
  return doc;
}

function describe(node: unknown): string {
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a sequence';
  if (isAlias(node)) return 'an alias';
  const value: unknown = isScalar(node) ? node.value : node;
  if (value === null || value === undefined) return 'null';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** The container at each depth and, for mappings, the pair taken there. */
interface Step {
  readonly container: YAMLMap | { readonly items: readonly unknown[] };
  readonly pair?: Pair;
}

type Lookup =
  | { readonly found: true; readonly node: Scalar; readonly steps: readonly Step[] }
  | { readonly found: false; readonly depth: number; readonly parent: unknown };

function isEmptyRoot(node: unknown): boolean {
  return node === null || (isScalar(node) && node.value === null && node.range?.[0] === node.range?.[1]);
}

function lookup(doc: Parsed, tokens: readonly string[], key: string): Lookup {
  let node: unknown = doc.contents;
  const steps: Step[] = [];
  for (const [depth, token] of tokens.entries()) {
    if (depth === 0 && isEmptyRoot(node)) return { found: false, depth, parent: null };
    const parent = node;
    if (isMap(parent)) {
      const pair = parent.items.findLast((item) => isScalar(item.key) && String(item.key.value) === token);
      steps.push({ container: parent, pair });
      if (pair === undefined) return { found: false, depth, parent };
      node = pair.value;
      continue;
    }
    const index = arrayIndex(token);
    if (!isSeq(parent) || index === undefined) {
      throw new FormatError(
        `${describePrefix(tokens, depth)} is ${describe(parent)}, so ${key} cannot be reached`,
      );
    }
    steps.push({ container: parent });
    if (index >= parent.items.length) return { found: false, depth, parent };
    node = parent.items[index];
  }
  if (!isScalar(node) || typeof node.value !== 'string') {
    throw new FormatError(`${key} holds ${describe(node)}, not a string`);
  }
  return { found: true, node, steps };
}

const plainKey = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const plainValue = /^[A-Za-z0-9_][A-Za-z0-9_./+=-]*$/;
const doubleEscapes: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '"': '\\"',
  '\0': '\\0',
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
};

/** Characters YAML forbids or readers may mangle inside a scalar: C0, DEL, C1, separators, BOM. */
function unprintable(char: string): boolean {
  const code = char.charCodeAt(0);
  return (
    code < 0x20 || (code >= 0x7f && code <= 0x9f) || [0x2028, 0x2029, 0xfeff, 0xfffe, 0xffff].includes(code)
  );
}

function doubleQuoted(value: string): string {
  const escaped = Array.from(value, (char) =>
    char === '\\' || char === '"' || unprintable(char)
      ? (doubleEscapes[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
      : char,
  );
  return `"${escaped.join('')}"`;
}

/** A scalar in the requested style when that reads back as the same string, else double-quoted. */
function scalarText(value: string, style: 'plain' | 'single' | 'double', plain = plainValue): string {
  if (style === 'plain' && plain.test(value) && parseYaml(value) === value) return value;
  if (style === 'single' && !Array.from(value).some(unprintable)) return `'${value.replaceAll("'", "''")}'`;
  return doubleQuoted(value);
}

function styleOf(node: Scalar): 'plain' | 'single' | 'double' {
  if (node.type === 'PLAIN') return 'plain';
  return node.type === 'QUOTE_SINGLE' ? 'single' : 'double';
}

function lineStart(text: string, offset: number): number {
  return Math.max(text.lastIndexOf('\n', offset - 1), text.lastIndexOf('\r', offset - 1)) + 1;
}

/** Just past the line on which a pair's source ends (its value, or its key when it has none). */
function pairEnd(text: string, pair: Pair): number | undefined {
  const node = isNode(pair.value) ? pair.value : isNode(pair.key) ? pair.key : undefined;
  const end = node?.range?.[1];
  if (end === undefined) return undefined;
  if (/[\r\n]/.test(text.charAt(end - 1))) return end;
  const terminator = /\r\n|\n|\r/g;
  terminator.lastIndex = end;
  const match = terminator.exec(text);
  return match === null ? text.length : match.index + match[0].length;
}

/** Where a pair of a block mapping starts its line with nothing but indentation before the key. */
function pairStart(text: string, pair: Pair): number | undefined {
  const keyStart = isNode(pair.key) ? pair.key.range?.[0] : undefined;
  if (keyStart === undefined) return undefined;
  const start = lineStart(text, keyStart);
  return /^ *$/.test(text.slice(start, keyStart)) ? start : undefined;
}

function indentUnit(text: string): number {
  const indents = [...text.matchAll(/^( +)[^ #\r\n]/gm)].map((match) => match[1]?.length ?? 2);
  return indents.length === 0 ? 2 : Math.min(...indents);
}

function lines(tokens: readonly string[], value: string, indent: number, unit: number, eol: string): string {
  return tokens
    .map((token, index) => {
      const pad = ' '.repeat(indent + index * unit);
      const key = scalarText(token, 'plain', plainKey);
      return index === tokens.length - 1 ? `${pad}${key}: ${scalarText(value, 'plain')}` : `${pad}${key}:`;
    })
    .join(eol);
}

function replaceScalar(text: string, node: Scalar, value: string): string | undefined {
  const range = node.range;
  if (range === undefined || range === null) return undefined;
  const block = node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED';
  // A block scalar's source runs to the end of its last line; the line break must stay.
  const tail = block ? (/(?:\r\n|\n|\r)$/.exec(text.slice(range[0], range[1]))?.[0] ?? '') : '';
  return splice(text, range[0], range[1], scalarText(value, block ? 'double' : styleOf(node)) + tail);
}

function insert(
  text: string,
  tokens: readonly string[],
  depth: number,
  parent: unknown,
  value: string,
): string | undefined {
  const eol = detectEol(text);
  const unit = indentUnit(text);
  if (parent === null) {
    const block = lines(tokens.slice(depth), value, 0, unit, eol);
    return text === '' || /[\r\n]$/.test(text) ? text + block + eol : text + eol + block;
  }
  if (!isMap(parent) || parent.flow === true) return undefined;
  const first = parent.items[0];
  const last = parent.items.at(-1);
  const keyStart = isNode(first?.key) ? first.key.range?.[0] : undefined;
  const end = last === undefined ? undefined : pairEnd(text, last);
  if (keyStart === undefined || end === undefined) return undefined;
  const block = lines(tokens.slice(depth), value, keyStart - lineStart(text, keyStart), unit, eol);
  if (end === text.length && !/[\r\n]$/.test(text)) return text + eol + block;
  return splice(text, end, end, block + eol);
}

function removePair(text: string, step: Step, depth: number): string | undefined {
  const pair = step.pair;
  const container = step.container;
  // Emptying a nested mapping by splicing would leave `key:` behind, which reads as null.
  if (pair === undefined || !isMap(container) || container.flow === true) return undefined;
  if (depth > 0 && container.items.length === 1) return undefined;
  const start = pairStart(text, pair);
  const end = pairEnd(text, pair);
  return start === undefined || end === undefined ? undefined : removeLines(text, start, end);
}

/** The Document API route: comments survive, indentation follows the file's smallest unit. */
function viaDocument(doc: Parsed, text: string, edit: (doc: Parsed) => void): string {
  edit(doc);
  const out = doc.toString({ lineWidth: 0, indent: indentUnit(text) });
  const eol = detectEol(text);
  const ended = text === '' || /[\r\n]$/.test(text) ? out : out.replace(/\n$/, '');
  return eol === '\n' ? ended : ended.replace(/\n/g, eol);
}

export const yamlCodec: FormatCodec = {
  read(text, key) {
    const at = lookup(parse(text), parsePointer(key), key);
    return at.found ? (at.node.value as string) : undefined;
  },

  set(text, key, value) {
    const tokens = parsePointer(key);
    const doc = parse(text);
    const at = lookup(doc, tokens, key);
    if (!at.found && isSeq(at.parent)) {
      throw new FormatError(
        `${describePrefix(tokens, at.depth + 1)} would be a new sequence item, which keyturn does not create`,
      );
    }
    const spliced = at.found
      ? replaceScalar(text, at.node, value)
      : insert(text, tokens, at.depth, at.parent, value);
    return (
      spliced ??
      viaDocument(doc, text, (edited) => {
        edited.setIn(tokens, value);
      })
    );
  },

  remove(text, key, keepDepth) {
    const tokens = parsePointer(key);
    const doc = parse(text);
    const at = lookup(doc, tokens, key);
    if (!at.found) return text;
    const keep = Math.max(0, keepDepth ?? tokens.length - 1);
    let depth = tokens.length;
    const soleItem = (index: number) => {
      const container = at.steps[index]?.container;
      return isMap(container) && container.items.length === 1;
    };
    while (depth - 1 > keep && soleItem(depth - 1)) depth--;
    const step = at.steps[depth - 1];
    const spliced = step === undefined ? undefined : removePair(text, step, depth - 1);
    return (
      spliced ??
      viaDocument(doc, text, (edited) => {
        edited.deleteIn(tokens.slice(0, depth));
      })
    );
  },

  existingDepth(text, key) {
    const tokens = parsePointer(key);
    const at = lookup(parse(text), tokens, key);
    return at.found ? tokens.length : at.depth;
  },

  isEmpty: (text) => ['', '{}'].includes(text.trim()),
};

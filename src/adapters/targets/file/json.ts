import {
  applyEdits,
  type FormattingOptions,
  type JSONPath,
  modify,
  type Node,
  type ParseError,
  parseTree,
  printParseErrorCode,
} from 'jsonc-parser';

import { detectEol, type FormatCodec, FormatError, lineOf } from './format';
import { arrayIndex, describePrefix, parsePointer } from './json-pointer';

/**
 * JSON (and JSON with comments) edited through `jsonc-parser`, which changes only the edited
 * member and leaves formatting and comments alone. The key is a JSON Pointer to a string; missing
 * parent objects are created on `set`, new array elements are not.
 */

function parseRoot(text: string): Node | undefined {
  if (text.trim() === '') return undefined;
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  const first = errors[0];
  if (first !== undefined || root === undefined) {
    const where =
      first === undefined
        ? ''
        : `: ${printParseErrorCode(first.error)} on line ${lineOf(text, first.offset)}`;
    throw new FormatError(`the file is not valid JSON${where}`);
  }
  return root;
}

function describe(node: Node | undefined): string {
  if (node === undefined) return 'nothing';
  if (node.type === 'null') return 'null';
  return node.type === 'object' || node.type === 'array' ? `an ${node.type}` : `a ${node.type}`;
}

type Lookup =
  | { readonly found: true; readonly node: Node; readonly path: JSONPath; readonly parents: readonly Node[] }
  | { readonly found: false; readonly depth: number; readonly path: JSONPath; readonly parent?: Node };

/** Follows the pointer; the last of duplicate members counts, as in `JSON.parse`. */
function lookup(root: Node | undefined, tokens: readonly string[], key: string): Lookup {
  const path: JSONPath = [];
  const parents: Node[] = [];
  let node = root;
  for (const [depth, token] of tokens.entries()) {
    if (node === undefined) return { found: false, depth, path };
    const parent = node;
    parents.push(parent);
    const index = arrayIndex(token);
    if (parent.type === 'object') {
      const member = parent.children?.findLast((property) => property.children?.[0]?.value === token);
      node = member?.children?.[1];
      path.push(token);
    } else if (parent.type === 'array' && index !== undefined) {
      node = parent.children?.[index];
      path.push(index);
    } else {
      throw new FormatError(
        `${describePrefix(tokens, depth)} is ${describe(parent)}, so ${key} cannot be reached`,
      );
    }
    if (node === undefined) return { found: false, depth, path: path.slice(0, -1), parent };
  }
  if (node?.type !== 'string') throw new FormatError(`${key} holds ${describe(node)}, not a string`);
  return { found: true, node, path, parents };
}

/** The file's own indentation and line ending, for the lines `jsonc-parser` inserts. */
function formattingOf(text: string): FormattingOptions {
  const indents = [...text.matchAll(/^([ \t]+)["}\]]/gm)].map((match) => match[1] ?? '');
  const eol = detectEol(text);
  if (indents.some((indent) => indent.startsWith('\t'))) return { insertSpaces: false, tabSize: 1, eol };
  const spaces = Math.min(...indents.map((indent) => indent.length));
  return { insertSpaces: true, tabSize: Number.isFinite(spaces) ? spaces : 2, eol };
}

export const jsonCodec: FormatCodec = {
  read(text, key) {
    const found = lookup(parseRoot(text), parsePointer(key), key);
    return found.found ? (found.node.value as string) : undefined;
  },

  set(text, key, value) {
    const tokens = parsePointer(key);
    const root = parseRoot(text);
    const formattingOptions = formattingOf(text);
    if (root === undefined) {
      return applyEdits('', modify('', tokens, value, { formattingOptions })) + detectEol(text);
    }
    const at = lookup(root, tokens, key);
    if (at.found) {
      const edit = { offset: at.node.offset, length: at.node.length, content: JSON.stringify(value) };
      return applyEdits(text, [edit]);
    }
    if (at.parent?.type === 'array') {
      throw new FormatError(
        `${describePrefix(tokens, at.depth + 1)} would be a new array element, which keyturn does not create`,
      );
    }
    return applyEdits(
      text,
      modify(text, [...at.path, ...tokens.slice(at.depth)], value, { formattingOptions }),
    );
  },

  remove(text, key, keepDepth) {
    const tokens = parsePointer(key);
    const at = lookup(parseRoot(text), tokens, key);
    if (!at.found) return text;
    const keep = Math.max(0, keepDepth ?? tokens.length - 1);
    let depth = tokens.length;
    while (
      depth - 1 > keep &&
      at.parents[depth - 1]?.type === 'object' &&
      at.parents[depth - 1]?.children?.length === 1
    ) {
      depth--;
    }
    return applyEdits(
      text,
      modify(text, at.path.slice(0, depth), undefined, { formattingOptions: formattingOf(text) }),
    );
  },

  existingDepth(text, key) {
    const tokens = parsePointer(key);
    const at = lookup(parseRoot(text), tokens, key);
    return at.found ? tokens.length : at.depth;
  },

  isEmpty: (text) => ['', '{}'].includes(text.replace(/\s/g, '')),
};

import { describe, expect, it } from 'vitest';

import { envCodec } from '../../../src/adapters/targets/file/env';
import type { FormatCodec } from '../../../src/adapters/targets/file/format';
import { jsonCodec } from '../../../src/adapters/targets/file/json';
import { propertiesCodec } from '../../../src/adapters/targets/file/properties';
import { yamlCodec } from '../../../src/adapters/targets/file/yaml';

interface Case {
  readonly name: string;
  readonly before: string;
  readonly key: string;
  readonly read: string | undefined;
  readonly value: string;
  readonly after: string;
  /** What removing the key again gives, when not `before` (an emptied new file keeps its braces). */
  readonly removed?: string;
}

function roundTrips(codec: FormatCodec, cases: readonly Case[]) {
  it.each(cases)('$name', ({ before, key, read, value, after, removed }) => {
    expect(codec.read(before, key)).toBe(read);
    const written = codec.set(before, key, value);
    expect(written).toBe(after);
    expect(codec.read(written, key)).toBe(value);
    if (read === undefined) {
      expect(codec.remove(written, key, codec.existingDepth?.(before, key))).toBe(removed ?? before);
    }
  });
}

describe('env format', () => {
  roundTrips(envCodec, [
    {
      name: 'replaces a bare value and keeps comments, blanks and other keys',
      before: '# app\nA=1\n\nAPI_KEY=old # rotated by keyturn\nB=2\n',
      key: 'API_KEY',
      read: 'old',
      value: 'new',
      after: '# app\nA=1\n\nAPI_KEY=new # rotated by keyturn\nB=2\n',
    },
    {
      name: 'keeps CRLF line endings and a missing trailing newline',
      before: 'A=1\r\nAPI_KEY="old"\r\nB=2',
      key: 'API_KEY',
      read: 'old',
      value: 'n3w',
      after: 'A=1\r\nAPI_KEY=n3w\r\nB=2',
    },
    {
      name: 'appends a missing key with the file’s CRLF and no trailing newline',
      before: 'A=1\r\nB=2',
      key: 'API_KEY',
      read: undefined,
      value: 'k',
      after: 'A=1\r\nB=2\r\nAPI_KEY=k',
    },
    {
      name: 'keeps the export prefix and exports a new key in an exporting file',
      before: 'export A=1\nexport  API_KEY = old\n',
      key: 'API_KEY',
      read: 'old',
      value: 'k',
      after: 'export A=1\nexport  API_KEY = k\n',
    },
    {
      name: 'adds export to a new key when the file exports its variables',
      before: 'export A=1\n',
      key: 'API_KEY',
      read: undefined,
      value: 'k',
      after: 'export A=1\nexport API_KEY=k\n',
    },
    {
      name: 'reads single quotes literally and double quotes with escapes',
      before: 'A=\'x\\ny\'\nAPI_KEY="a\\"b\\\\c\\nd"\n',
      key: 'API_KEY',
      read: 'a"b\\c\nd',
      value: 'has space',
      after: "A='x\\ny'\nAPI_KEY='has space'\n",
    },
    {
      name: 'updates the last of duplicate keys, the one dotenv loaders keep',
      before: 'API_KEY=first\nAPI_KEY=second\n',
      key: 'API_KEY',
      read: 'second',
      value: 'third',
      after: 'API_KEY=first\nAPI_KEY=third\n',
    },
    {
      name: 'reads a multi-line quoted value and replaces it whole',
      before: 'API_KEY="line1\nline2"\nB=2\n',
      key: 'API_KEY',
      read: 'line1\nline2',
      value: 'k',
      after: 'API_KEY=k\nB=2\n',
    },
    {
      name: 'double-quotes a value holding a single quote, a hash and a dollar',
      before: '',
      key: 'API_KEY',
      read: undefined,
      value: "it's #1 $HOME",
      after: 'API_KEY="it\'s #1 $HOME"\n',
    },
    {
      name: 'keeps a comment glued to an empty value apart from the new one',
      before: 'API_KEY=#todo\n',
      key: 'API_KEY',
      read: '',
      value: 'k',
      after: 'API_KEY=k #todo\n',
    },
  ]);

  it('removes every occurrence of a key', () => {
    expect(envCodec.remove('A=1\nK=x\nB=2\nK=y', 'K')).toBe('A=1\nB=2');
  });
});

describe('properties format', () => {
  roundTrips(propertiesCodec, [
    {
      name: 'replaces values in all three separator styles',
      before: '# c\n! c2\na=1\napi.key : old\nb 2\n',
      key: 'api.key',
      read: 'old',
      value: 'new',
      after: '# c\n! c2\na=1\napi.key : new\nb 2\n',
    },
    {
      name: 'reads line continuations and unicode escapes, and replaces the whole logical line',
      before: 'api.key = ab\\\n    cd\\u00e9\\tx\r\nother=1\r\n',
      key: 'api.key',
      read: 'abcdé\tx',
      value: 'k',
      after: 'api.key = k\r\nother=1\r\n',
    },
    {
      name: 'escapes what Properties.store escapes, non-ASCII as \\uXXXX',
      before: 'a=1\n',
      key: 'api.key',
      read: undefined,
      value: ' lead=#!:\\é😀',
      after: 'a=1\napi.key=\\ lead\\=\\#\\!\\:\\\\\\u00E9\\uD83D\\uDE00\n',
    },
    {
      name: 'reuses the file’s separator for a new key',
      before: 'a: 1',
      key: 'api.key',
      read: undefined,
      value: 'k',
      after: 'a: 1\napi.key: k',
    },
    {
      name: 'updates the last of duplicate keys, the one Java keeps',
      before: 'k=1\nk=2\n',
      key: 'k',
      read: '2',
      value: '3',
      after: 'k=1\nk=3\n',
    },
    {
      name: 'gives a lone key a separator',
      before: 'k\n',
      key: 'k',
      read: '',
      value: 'v',
      after: 'k=v\n',
    },
    {
      name: 'does not take a comment that ends in a backslash for a continuation',
      before: '# note \\\nk=1\n',
      key: 'k',
      read: '1',
      value: '2',
      after: '# note \\\nk=2\n',
    },
  ]);

  it('does not let a dangling continuation swallow a new key', () => {
    const written = propertiesCodec.set('a=b\\\n', 'k', 'v');
    expect(propertiesCodec.read(written, 'a')).toBe('b');
    expect(propertiesCodec.read(written, 'k')).toBe('v');
  });
});

describe('json format', () => {
  roundTrips(jsonCodec, [
    {
      name: 'replaces a nested string and keeps comments and CRLF',
      before: '{\r\n  // keys\r\n  "api": { "key": "old" },\r\n  "n": 1\r\n}\r\n',
      key: '/api/key',
      read: 'old',
      value: 'n"e\\w',
      after: '{\r\n  // keys\r\n  "api": { "key": "n\\"e\\\\w" },\r\n  "n": 1\r\n}\r\n',
    },
    {
      name: 'creates missing parent objects with the file’s indentation',
      before: '{\n    "n": 1\n}\n',
      key: '/a/b',
      read: undefined,
      value: 'k',
      after: '{\n    "n": 1,\n    "a": {\n        "b": "k"\n    }\n}\n',
    },
    {
      name: 'follows array indices and escaped pointer tokens',
      before: '{"list": [{"a/b": {"~k": "old"}}]}',
      key: '/list/0/a~1b/~0k',
      read: 'old',
      value: 'k',
      after: '{"list": [{"a/b": {"~k": "k"}}]}',
    },
    {
      name: 'writes a new file as an object',
      before: '',
      key: '/api/key',
      read: undefined,
      value: 'k',
      after: '{\n  "api": {\n    "key": "k"\n  }\n}\n',
      removed: '{\n}\n',
    },
  ]);

  it('removes the parents it created when told how deep the file went', () => {
    const before = '{\n  "n": 1\n}\n';
    const written = jsonCodec.set(before, '/a/b/c', 'k');
    expect(jsonCodec.existingDepth?.(before, '/a/b/c')).toBe(0);
    expect(jsonCodec.remove(written, '/a/b/c', 0)).toBe(before);
  });
});

describe('yaml format', () => {
  roundTrips(yamlCodec, [
    {
      name: 'replaces a plain value and keeps every comment',
      before: '# top\napi:\n  key: old # inline\n  # between\n  other: 1\n',
      key: '/api/key',
      read: 'old',
      value: 'new',
      after: '# top\napi:\n  key: new # inline\n  # between\n  other: 1\n',
    },
    {
      name: 'double-quotes a value that would not read back as a plain string',
      before: 'key: old\r\nn: 1\r\n',
      key: '/key',
      read: 'old',
      value: '123',
      after: 'key: "123"\r\nn: 1\r\n',
    },
    {
      name: 'keeps single quotes and doubles an inner quote',
      before: "key: 'old'\n",
      key: '/key',
      read: 'old',
      value: "it's",
      after: "key: 'it''s'\n",
    },
    {
      name: 'replaces a block scalar and keeps the following lines',
      before: 'key: |\n  old\n  text\nnext: 1\n',
      key: '/key',
      read: 'old\ntext\n',
      value: 'k',
      after: 'key: "k"\nnext: 1\n',
    },
    {
      name: 'inserts missing mappings after the last key with the file’s indentation',
      before: 'app:\n    name: x\n    # end of app\nother: 1\n',
      key: '/app/secrets/key',
      read: undefined,
      value: 'k: v',
      after: 'app:\n    name: x\n    secrets:\n        key: "k: v"\n    # end of app\nother: 1\n',
    },
    {
      name: 'inserts into a file without a trailing newline',
      before: 'a: 1',
      key: '/key',
      read: undefined,
      value: 'k',
      after: 'a: 1\nkey: k',
    },
    {
      name: 'inserts into a file of comments only',
      before: '# nothing yet\n',
      key: '/a/key',
      read: undefined,
      value: 'k',
      after: '# nothing yet\na:\n  key: k\n',
    },
    {
      name: 'follows sequence indices',
      before: 'items:\n  - key: old\n  - key: other\n',
      key: '/items/1/key',
      read: 'other',
      value: 'k',
      after: 'items:\n  - key: old\n  - key: k\n',
    },
  ]);

  it('falls back to the Document API for flow mappings and keeps comments', () => {
    const written = yamlCodec.set('# c\napi: {a: 1} # tail\n', '/api/key', 'k');
    expect(yamlCodec.read(written, '/api/key')).toBe('k');
    expect(written).toContain('# c');
    expect(written).toContain('# tail');
  });

  it('removes the parents it created down to the depth the file had', () => {
    const before = 'app:\n  name: x\n';
    const written = yamlCodec.set(before, '/app/secrets/key', 'k');
    expect(yamlCodec.existingDepth?.(before, '/app/secrets/key')).toBe(1);
    expect(yamlCodec.remove(written, '/app/secrets/key', 1)).toBe(before);
  });
});

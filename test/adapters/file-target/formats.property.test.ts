import fc from 'fast-check';
import { parse as parseJsonc } from 'jsonc-parser';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

import { envCodec, quoteEnvValue } from '../../../src/adapters/targets/file/env';
import type { FormatCodec } from '../../../src/adapters/targets/file/format';
import { jsonCodec } from '../../../src/adapters/targets/file/json';
import { escapeProperty, propertiesCodec } from '../../../src/adapters/targets/file/properties';
import { yamlCodec } from '../../../src/adapters/targets/file/yaml';
import { parseLikeDotenv } from './dotenv-oracle';

// FILE_TARGET_RUNS=5000 digs deeper locally; the default keeps CI quick.
const runs = { numRuns: Number(process.env['FILE_TARGET_RUNS'] ?? 300) };

/** Values biased towards what breaks quoting: quotes, `=`, `#`, blanks, backslashes, line breaks, unicode. */
const nasty = fc.string({
  unit: fc.constantFrom(
    'a',
    'Z',
    '0',
    '"',
    "'",
    '`',
    '=',
    '#',
    '!',
    ':',
    ' ',
    '\t',
    '\\',
    '\n',
    '\r',
    '$',
    'é',
    '😀',
    'u',
    'n',
  ),
});
const value = fc
  .oneof(nasty, fc.string({ unit: 'binary' }), fc.base64String())
  .filter((text) => !text.includes('\0') && !/\p{Surrogate}/u.test(text));
const lineText = fc.string({ unit: 'binary' }).map((text) => text.replace(/[\r\n\0]/g, ''));
const eol = fc.constantFrom('\n', '\r\n');

interface File {
  readonly lines: readonly string[];
  readonly eol: string;
  readonly trailing: boolean;
}

const join = ({ lines, eol: ending, trailing }: File) =>
  lines.length === 0 ? '' : lines.join(ending) + (trailing ? ending : '');

function fileOf(other: fc.Arbitrary<string>): fc.Arbitrary<File> {
  return fc.record({ lines: fc.array(other, { maxLength: 12 }), eol, trailing: fc.boolean() });
}

/** Checks set, read and remove on a file without the key, and on the same file holding an old value. */
function checkCodec(
  codec: FormatCodec,
  key: string,
  other: fc.Arbitrary<string>,
  lineFor: (v: string) => string,
) {
  it('reads back what it sets and leaves a file without the key byte-identical after remove', () => {
    fc.assert(
      fc.property(fileOf(other), value, (file, secret) => {
        const before = join(file);
        const written = codec.set(before, key, secret);
        expect(codec.read(written, key)).toBe(secret);
        expect(written.startsWith(before)).toBe(true);
        expect(codec.remove(written, key)).toBe(before);
      }),
      runs,
    );
  });

  it('replaces an existing value and keeps every other line byte-identical', () => {
    fc.assert(
      fc.property(fileOf(other), fc.nat(), value, value, (file, at, old, secret) => {
        const index = at % (file.lines.length + 1);
        const lines = [...file.lines.slice(0, index), lineFor(old), ...file.lines.slice(index)];
        const before = join({ ...file, lines });
        expect(codec.read(before, key)).toBe(old);
        const written = codec.set(before, key, secret);
        expect(codec.read(written, key)).toBe(secret);
        const after = written.split(file.eol);
        const original = before.split(file.eol);
        expect(after).toHaveLength(original.length);
        expect(after.filter((_, i) => i !== index)).toEqual(original.filter((_, i) => i !== index));
      }),
      runs,
    );
  });
}

describe('env format, property-based', () => {
  const otherEnv = fc.oneof(
    lineText.map((text) => `#${text}`),
    fc.constantFrom('', '  ', '\t'),
    fc
      .tuple(fc.nat(99), fc.constantFrom('', 'export '), value)
      .map(([n, prefix, v]) => `${prefix}OTHER_${n}=${quoteEnvValue(v)}`),
    fc.tuple(fc.nat(99), lineText).map(([n, text]) => `RAW_${n}=${text.replace(/^['"]/, '')}`),
  );
  checkCodec(envCodec, 'API_KEY', otherEnv, (old) => `API_KEY=${quoteEnvValue(old)}`);

  it('writes bare and single-quoted values that the npm dotenv parser reads back exactly', () => {
    fc.assert(
      fc.property(value, (secret) => {
        const written = envCodec.set('', 'API_KEY', secret);
        const exact = !written.startsWith('API_KEY="') || !/["\\]/.test(secret);
        if (exact) expect(parseLikeDotenv(written)['API_KEY']).toBe(secret);
      }),
      runs,
    );
  });
});

describe('properties format, property-based', () => {
  const otherProperties = fc.oneof(
    fc.tuple(fc.constantFrom('#', '!', '  #'), lineText).map(([mark, text]) => mark + text),
    fc.constantFrom('', '  ', '\t', '\f'),
    fc
      .tuple(fc.nat(99), fc.constantFrom('=', ' = ', ': ', ' '), value)
      .map(([n, separator, v]) => `other.${n}${separator}${escapeProperty(v, false)}`),
    fc.tuple(fc.nat(99), lineText).map(([n, text]) => `raw.${n}=${text.replace(/\\+$/, '')}`),
  );
  checkCodec(propertiesCodec, 'api.key', otherProperties, (old) => `api.key=${escapeProperty(old, false)}`);
});

describe('json format, property-based', () => {
  const before =
    '{\n  // settings\n  "name": "app",\n  "list": [1, 2],\n  "api": {\n    "key": "old" /* rotated */\n  }\n}\n';

  it('writes any string that JSON readers read back, touching nothing else', () => {
    fc.assert(
      fc.property(value, (secret) => {
        const written = jsonCodec.set(before, '/api/key', secret);
        expect(jsonCodec.read(written, '/api/key')).toBe(secret);
        expect(parseJsonc(written)).toEqual({ name: 'app', list: [1, 2], api: { key: secret } });
        const at = before.indexOf('"old"');
        expect(written).toBe(
          before.slice(0, at) + JSON.stringify(secret) + before.slice(at + '"old"'.length),
        );
      }),
      runs,
    );
  });

  it('removes a key it inserted, giving back the original bytes', () => {
    fc.assert(
      fc.property(value, fc.constantFrom('/api/new', '/deep/er/key', '/name2'), (secret, key) => {
        const written = jsonCodec.set(before, key, secret);
        expect(jsonCodec.read(written, key)).toBe(secret);
        expect(jsonCodec.remove(written, key, jsonCodec.existingDepth?.(before, key))).toBe(before);
      }),
      runs,
    );
  });
});

describe('yaml format, property-based', () => {
  const fixtures = {
    plain: '  key: old # note\n',
    single: "  key: 'old'\n",
    double: '  key: "old"\n',
    block: '  key: |\n    old\n',
  };

  it('writes any string that YAML readers read back, in place of the old scalar only', () => {
    fc.assert(
      fc.property(value, fc.constantFrom(...Object.values(fixtures)), (secret, scalar) => {
        const before = `# head\napp:\n  name: x\n${scalar}tail: 1 # end\n`;
        const written = yamlCodec.set(before, '/app/key', secret);
        expect(yamlCodec.read(written, '/app/key')).toBe(secret);
        expect(parseYaml(written)).toEqual({ app: { name: 'x', key: secret }, tail: 1 });
        expect(written.startsWith('# head\napp:\n  name: x\n  key: ')).toBe(true);
        expect(written.endsWith(`tail: 1 # end\n`)).toBe(true);
      }),
      runs,
    );
  });

  it('removes a key it inserted, giving back the original bytes', () => {
    const before = '# head\napp:\n  name: x\n# tail comment\nother:\n  - 1\n';
    fc.assert(
      fc.property(value, fc.constantFrom('/app/key', '/app/a/b', '/new/key'), (secret, key) => {
        const written = yamlCodec.set(before, key, secret);
        expect(yamlCodec.read(written, key)).toBe(secret);
        expect(yamlCodec.remove(written, key, yamlCodec.existingDepth?.(before, key))).toBe(before);
      }),
      runs,
    );
  });
});

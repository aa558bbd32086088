import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { writeFileAtomic } from '../../../src/adapters/targets/file/atomic-write';
import { fileError } from '../../../src/adapters/targets/file/errors';
import { fileTargetSchema } from '../../../src/adapters/targets/file/schema';
import { KeyturnError } from '../../../src/core/errors';
import { SecretValue } from '../../../src/core/secret';
import { context, fileTarget, leftovers, useTempDir } from './support';

async function failure(promise: Promise<unknown>): Promise<KeyturnError> {
  const error: unknown = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(KeyturnError);
  return error as KeyturnError;
}

describe('file target errors', () => {
  const dir = useTempDir();

  it('names the file and key when the directory does not exist', async () => {
    const file = join(dir(), 'missing', '.env');
    const target = fileTarget(dir(), { path: file, key: 'API_KEY' });
    expect(await target.read()).toEqual({ state: 'absent', detail: { file: 'missing' } });

    const error = await failure(target.write(new SecretValue('k'), context));

    expect(error).toMatchObject({
      kind: 'invalid-input',
      retryable: false,
      details: { file, key: 'API_KEY', code: 'ENOENT' },
    });
    expect(error.message).toBe(`Cannot write key API_KEY in ${file}: its directory does not exist (ENOENT).`);
    expect(error.cause).toMatchObject({ code: 'ENOENT' });
  });

  it.each([
    ['the path is a directory', 'EISDIR', async (d: string) => mkdir(join(d, 'x.env'))],
    ['a parent is a file', 'ENOTDIR', async (d: string) => writeFile(join(d, 'x.env'), '')],
  ])('refuses a path where %s', async (_, code, arrange) => {
    await arrange(dir());
    const path = code === 'ENOTDIR' ? join(dir(), 'x.env', 'y.env') : join(dir(), 'x.env');
    const error = await failure(fileTarget(dir(), { path, key: 'K' }).read());
    expect(error).toMatchObject({ kind: 'invalid-input', retryable: false, details: { code } });
  });

  it.skipIf(process.getuid?.() === 0)('reports a permission problem as invalid input', async () => {
    const locked = join(dir(), 'locked');
    await mkdir(locked, { mode: 0o500 });
    const error = await failure(
      fileTarget(dir(), { path: join(locked, '.env'), key: 'K' }).write(new SecretValue('k'), context),
    );
    expect(error).toMatchObject({ kind: 'invalid-input', details: { code: 'EACCES' } });
    await chmod(locked, 0o700);
  });

  it.each([
    [
      'malformed JSON',
      'bad.json',
      '{\n  "a": 1,\n  "api": {"key": "old"\n',
      '/api/key',
      'the file is not valid JSON: CloseBraceExpected on line 4',
    ],
    [
      'malformed YAML',
      'bad.yaml',
      'api:\n  key: "old\n',
      '/api/key',
      'the file is not valid YAML: MISSING_CHAR on line 3',
    ],
    [
      'a number where the key should be',
      'n.json',
      '{"api": {"key": 42}}',
      '/api/key',
      '/api/key holds a number, not a string',
    ],
    [
      'a mapping where the key should be',
      'm.yaml',
      'api:\n  key:\n    nested: 1\n',
      '/api/key',
      '/api/key holds a mapping, not a string',
    ],
    [
      'a string on the way to the key',
      's.json',
      '{"api": "x"}',
      '/api/key',
      '/api is a string, so /api/key cannot be reached',
    ],
    [
      'an unterminated quote',
      'q.env',
      'A=1\nAPI_KEY="old\n',
      'API_KEY',
      'API_KEY on line 2 has no closing quote',
    ],
    [
      'text after a closing quote',
      't.env',
      "API_KEY='old' trailing\n",
      'API_KEY',
      'API_KEY on line 1 has text after its closing quote',
    ],
    [
      'a malformed unicode escape',
      'u.properties',
      'api.key=\\u12G4\n',
      'api.key',
      'api.key on line 1 has a malformed \\uXXXX escape',
    ],
    [
      'a new array element',
      'a.json',
      '{"list": []}',
      '/list/0',
      '/list/0 would be a new array element, which keyturn does not create',
    ],
  ])(
    'refuses %s, naming the file, the key and the problem, and leaves the file alone',
    async (_, name, content, key, problem) => {
      const file = join(dir(), name);
      await writeFile(file, content);
      const target = fileTarget(dir(), { path: file, key });

      const error = await failure(target.write(new SecretValue('k'), context));

      expect(error).toMatchObject({ kind: 'invalid-input', retryable: false, details: { file, key } });
      expect(error.message).toBe(`Cannot write key ${key} in ${file}: ${problem}.`);
      expect(await readFile(file, 'utf8')).toBe(content);
      expect(await leftovers(dir())).toEqual([]);
    },
  );

  it('refuses a JSON file that is not UTF-8', async () => {
    const file = join(dir(), 'latin1.json');
    await writeFile(file, Buffer.from('{"a": "caf\xe9"}', 'latin1'));
    const error = await failure(fileTarget(dir(), { path: file, key: '/a' }).read());
    expect(error.message).toBe(`Cannot read key /a in ${file}: the file is not valid UTF-8.`);
  });

  it('refuses a value an environment variable cannot hold', async () => {
    const file = join(dir(), '.env');
    const error = await failure(
      fileTarget(dir(), { path: file, key: 'K' }).write(new SecretValue('a\0b'), context),
    );
    expect(error.message).toContain('NUL character');
    expect(await leftovers(dir())).toEqual([]);
  });

  it.each([
    ['EBUSY', 'unavailable', true],
    ['ENOSPC', 'unavailable', true],
    ['EMFILE', 'unavailable', true],
    ['EACCES', 'invalid-input', false],
    ['EROFS', 'invalid-input', false],
  ])('classifies %s as %s (retryable: %s)', (code, kind, retryable) => {
    const cause = Object.assign(new Error(`${code}: failed, open '/x/.env'`), { code });
    const error = fileError(cause, 'write', { file: '/x/.env', key: 'K' });
    expect(error).toMatchObject({ kind, retryable, details: { file: '/x/.env', key: 'K', code } });
    expect(error.cause).toBe(cause);
  });

  it('abandons an atomic write that its last look vetoes, leaving the target and no staging file', async () => {
    const file = join(dir(), 'a.env');
    await writeFile(file, 'A=1\n');
    const written = await writeFileAtomic(file, Buffer.from('A=2\n'), {
      mode: 0o600,
      beforeRename: () => Promise.resolve(false),
    });
    expect(written).toBe(false);
    expect(await readFile(file, 'utf8')).toBe('A=1\n');
    expect(await leftovers(dir())).toEqual([]);
  });
});

describe('file target configuration', () => {
  const issues = (config: Record<string, unknown>) => {
    const result = fileTargetSchema.safeParse({ kind: 'file', ...config });
    return result.success
      ? []
      : result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
  };

  it('infers the format from the file name', () => {
    for (const [path, key] of [
      ['.env', 'K'],
      ['.env.local', 'K'],
      ['prod.env', 'K'],
      ['app.properties', 'a.b'],
      ['x.JSON', '/a'],
      ['x.yml', '/a'],
      ['x.yaml', '/a'],
    ] as const) {
      expect(issues({ path, key }), path).toEqual([]);
    }
  });

  it.each([
    [
      { path: 'secrets.txt', key: 'K' },
      'format',
      'is required: the file name of path does not say which format it has (env, properties, json, yaml)',
    ],
    [
      { path: '.env', key: '1BAD' },
      'key',
      'must be a variable name: letters, digits, _, . or -, not starting with a digit (format env)',
    ],
    [
      { path: 'a.properties', key: 'a=b' },
      'key',
      'must be a property name of printable ASCII without spaces, =, :, #, ! or \\ (format properties)',
    ],
    [
      { path: 'a.json', key: 'api.key' },
      'key',
      "must be a JSON Pointer such as /a/b/0 (RFC 6901: '~' only as ~0 or ~1) (format json)",
    ],
    [
      { path: 'a.yaml', key: '/a~2' },
      'key',
      "must be a JSON Pointer such as /a/b/0 (RFC 6901: '~' only as ~0 or ~1) (format yaml)",
    ],
    [
      { path: 'a.txt', format: 'env', key: 'K', mode: '0644' },
      'mode',
      'is looser than 0640: nobody may execute the file, the group may at most read it, others get nothing',
    ],
    [
      { path: '.env', key: 'K', mode: '0660' },
      'mode',
      'is looser than 0640: nobody may execute the file, the group may at most read it, others get nothing',
    ],
    [
      { path: '.env', key: 'K', mode: '0700' },
      'mode',
      'is looser than 0640: nobody may execute the file, the group may at most read it, others get nothing',
    ],
    [{ path: '.env', key: 'K', mode: '0200' }, 'mode', 'must let the owner read the file'],
    [{ path: '.env', key: 'K', mode: '0o600' }, 'mode', "must be an octal file mode such as '0600'"],
    [{ path: '.env', key: 'K', mode: 384 }, 'mode', 'Invalid input: expected string, received number'],
    [{ path: '', key: 'K' }, 'path', 'must not be empty'],
    [{ path: '.env', key: 'K', owner: 'root' }, '', 'Unrecognized key: "owner"'],
  ])('rejects %j at %s with a message naming the field', (config, path, message) => {
    expect(issues(config)).toContainEqual({ path, message });
  });

  it('defaults the mode to 0600', () => {
    expect(fileTargetSchema.parse({ kind: 'file', path: '.env', key: 'K' }).mode).toBe('0600');
  });
});

import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inspect } from 'node:util';

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { KeyturnError } from '../../../src/core/errors';
import { SecretValue } from '../../../src/core/secret';
import { context, fileTarget, useTempDir } from './support';

const canary = 'CANARY-7f3a9c-secret';

/** Everything a log line, a failure record or an HTTP error could be built from. */
function everythingSaidAbout(error: unknown): string {
  const keyturn = error as KeyturnError;
  return [
    String(error),
    keyturn.message,
    JSON.stringify(keyturn.details),
    JSON.stringify(error),
    inspect(error, { depth: Infinity }),
  ].join('\n');
}

describe('file target secrecy', () => {
  const dir = useTempDir();
  const output: string[] = [];

  beforeEach(() => {
    output.length = 0;
    const capture = (...args: unknown[]) => {
      output.push(args.map((arg) => inspect(arg, { depth: Infinity })).join(' '));
      return true;
    };
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const)
      vi.spyOn(console, method).mockImplementation(capture);
    vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  });

  afterEach(() => {
    vi.restoreAllMocks();
    expect(output.join('\n')).not.toContain(canary);
  });

  it.each([
    ['malformed JSON next to the value', 'a.json', `{"api": {"key": "${canary}" ,,}}`, '/api/key'],
    // The YAML parser's own message for this one quotes the line with the value.
    ['malformed YAML on the line of the value', 'a.yaml', `api: {key: ${canary}\n`, '/api/key'],
    ['an unterminated quote around the value', '.env', `API_KEY="${canary}\n`, 'API_KEY'],
    ['a malformed escape inside the value', 'a.properties', `api.key=${canary}\\uZZZZ\n`, 'api.key'],
    ['a mapping holding the value', 'b.yaml', `api:\n  key:\n    inner: ${canary}\n`, '/api/key'],
  ])('says nothing of the file content when it meets %s', async (_, name, content, key) => {
    await writeFile(join(dir(), name), content);
    const target = fileTarget(dir(), { path: name, key });

    for (const attempt of [() => target.read(), () => target.write(new SecretValue('next'), context)]) {
      const error = await attempt().then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(KeyturnError);
      expect(everythingSaidAbout(error)).not.toContain(canary);
    }
  });

  it('says nothing of a value it refuses to write', async () => {
    const target = fileTarget(dir(), { path: '.env', key: 'API_KEY' });
    const error = await target.write(new SecretValue(`${canary}\0`), context).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(KeyturnError);
    expect(everythingSaidAbout(error)).not.toContain(canary);
  });

  it('keeps the value out of ids, snapshots and results', async () => {
    const target = fileTarget(dir(), { path: 'app.yaml', key: '/api/key' });
    const written = await target.write(new SecretValue(canary), context);
    const snapshot = await target.read();

    expect(snapshot.state === 'present' && snapshot.value.reveal()).toBe(canary);
    for (const shown of [
      target.id,
      JSON.stringify(snapshot),
      inspect(snapshot, { depth: Infinity }),
      JSON.stringify(written),
    ]) {
      expect(shown).not.toContain(canary);
    }
  });

  it('creates files 0600 even when the process umask would allow more', async () => {
    const previous = process.umask(0);
    try {
      for (const name of ['.env', 'a.properties', 'a.json', 'a.yaml']) {
        const key = name.endsWith('.json') || name.endsWith('.yaml') ? '/k' : 'k';
        await fileTarget(dir(), { path: name, key }).write(new SecretValue(canary), context);
        expect((await stat(join(dir(), name))).mode & 0o777, name).toBe(0o600);
      }
    } finally {
      process.umask(previous);
    }
  });

  it('tightens a world-readable file to the configured mode when it writes the key', async () => {
    const file = join(dir(), '.env');
    await writeFile(file, 'A=1\n', { mode: 0o666 });
    await fileTarget(dir(), { path: file, key: 'K' }).write(new SecretValue(canary), context);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, 'utf8')).toBe(`A=1\nK=${canary}\n`);
  });

  it.each(['0644', '0664', '0666', '0777', '0604', '0650', '0700', '0740'])(
    'rejects mode %s as looser than 0640',
    (mode) => {
      expect(() => fileTarget(dir(), { path: '.env', key: 'K', mode })).toThrow(/looser than 0640/);
    },
  );
});

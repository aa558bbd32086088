import { chown, lstat, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { SecretValue } from '../../../src/core/secret';
import { context, fileTarget, leftovers, useTempDir } from './support';

const secret = (value: string) => new SecretValue(value);

describe('file target', () => {
  const dir = useTempDir();

  it('is addressed by its absolute path and key, relative paths resolving against the base folder', () => {
    const target = fileTarget(dir(), { path: 'conf/.env', key: 'API_KEY' });
    expect(target.kind).toBe('file');
    expect(target.id).toBe(`file:${join(dir(), 'conf/.env')}#API_KEY`);
  });

  it('creates a missing file holding only the key, with mode 0600', async () => {
    const target = fileTarget(dir(), { path: 'app.env', key: 'API_KEY' });
    expect(await target.read()).toEqual({ state: 'absent', detail: { file: 'missing' } });

    expect(await target.write(secret('k1'), context)).toEqual({ written: true });

    const file = join(dir(), 'app.env');
    expect(await readFile(file, 'utf8')).toBe('API_KEY=k1\n');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const snapshot = await target.read();
    expect(snapshot.state === 'present' && snapshot.value.reveal()).toBe('k1');
    expect(await leftovers(dir())).toEqual([]);
  });

  it('does not touch the file when it already holds the value', async () => {
    const file = join(dir(), 'settings.json');
    const target = fileTarget(dir(), { path: file, key: '/api/key' });
    await target.write(secret('k1'), context);
    const before = await stat(file, { bigint: true });

    expect(await target.write(secret('k1'), context)).toEqual({ written: false });

    const after = await stat(file, { bigint: true });
    expect(after.ino).toBe(before.ino);
    expect(after.mtimeNs).toBe(before.mtimeNs);
  });

  it.each([
    ['0600', 0o600],
    ['0640', 0o640],
    ['400', 0o400],
  ])('gives the file mode %s on every write, whatever it had before', async (mode, expected) => {
    const file = join(dir(), 'app.properties');
    await writeFile(file, 'a=1\n', { mode: 0o644 });
    const target = fileTarget(dir(), { path: file, key: 'api.key', mode });

    await target.write(secret('k1'), context);
    expect((await stat(file)).mode & 0o777).toBe(expected);
    await target.write(secret('k2'), context);
    expect((await stat(file)).mode & 0o777).toBe(expected);
    expect(await readFile(file, 'utf8')).toBe('a=1\napi.key=k2\n');
  });

  describe('restore', () => {
    it('puts a present value back and keeps the rest of the file', async () => {
      const file = join(dir(), '.env');
      const original = '# app\r\nexport A=1\r\nexport API_KEY="old value"\r\n';
      await writeFile(file, original);
      const target = fileTarget(dir(), { path: file, key: 'API_KEY' });
      const snapshot = await target.read();

      await target.write(secret('new'), context);
      expect(await readFile(file, 'utf8')).toBe('# app\r\nexport A=1\r\nexport API_KEY=new\r\n');
      expect(await target.restore(snapshot, context)).toEqual({ written: true });

      expect(await readFile(file, 'utf8')).toBe("# app\r\nexport A=1\r\nexport API_KEY='old value'\r\n");
      expect(await target.restore(snapshot, context)).toEqual({ written: false });
    });

    it('removes a key that was absent, leaving the file byte-identical', async () => {
      const file = join(dir(), 'app.yaml');
      const original = '# config\napp:\n  name: x # name\n';
      await writeFile(file, original);
      const target = fileTarget(dir(), { path: file, key: '/app/secrets/key' });
      const snapshot = await target.read();
      expect(snapshot).toEqual({ state: 'absent', detail: { file: 'present', existingParent: '/app' } });

      await target.write(secret('k'), context);
      expect(await target.restore(snapshot, context)).toEqual({ written: true });

      expect(await readFile(file, 'utf8')).toBe(original);
      expect(await target.restore(snapshot, context)).toEqual({ written: false });
    });

    it('deletes the file it created when that file holds nothing else', async () => {
      const file = join(dir(), 'secrets.json');
      const target = fileTarget(dir(), { path: file, key: '/a/b/key' });
      const snapshot = await target.read();
      await target.write(secret('k'), context);

      expect(await target.restore(snapshot, context)).toEqual({ written: true });

      await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
      expect(await target.restore(snapshot, context)).toEqual({ written: false });
    });

    it('keeps a file it created once another credential has put its key there too', async () => {
      const file = join(dir(), 'shared.properties');
      const mine = fileTarget(dir(), { path: file, key: 'mine' });
      const theirs = fileTarget(dir(), { path: file, key: 'theirs' });
      const snapshot = await mine.read();
      await mine.write(secret('a'), context);
      await theirs.write(secret('b'), context);

      await mine.restore(snapshot, context);

      expect(await readFile(file, 'utf8')).toBe('theirs=b\n');
    });
  });

  it('keeps every key when credentials sharing a file write at the same time', async () => {
    const file = join(dir(), 'shared.env');
    await writeFile(file, '# shared\n');
    const targets = Array.from({ length: 6 }, (_, i) => fileTarget(dir(), { path: file, key: `KEY_${i}` }));

    await Promise.all(targets.map((target, i) => target.write(secret(`v${i}`), context)));

    const snapshots = await Promise.all(targets.map((target) => target.read()));
    expect(snapshots.map((s) => (s.state === 'present' ? s.value.reveal() : s.state))).toEqual(
      targets.map((_, i) => `v${i}`),
    );
    expect(await leftovers(dir())).toEqual([]);
  });

  it('writes through a symbolic link to the file behind it and keeps the link', async () => {
    const real = join(dir(), 'real.env');
    const link = join(dir(), 'link.env');
    await writeFile(real, 'A=1\n');
    await symlink(real, link);

    await fileTarget(dir(), { path: link, key: 'API_KEY' }).write(secret('k'), context);

    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readlink(link)).toBe(real);
    expect(await readFile(real, 'utf8')).toBe('A=1\nAPI_KEY=k\n');
  });

  it('keeps a byte order mark and a Latin-1 properties file byte for byte', async () => {
    const json = join(dir(), 'bom.json');
    await writeFile(json, '\uFEFF{"a": "x"}');
    await fileTarget(dir(), { path: json, key: '/a' }).write(secret('é'), context);
    expect(await readFile(json, 'utf8')).toBe('\uFEFF{"a": "é"}');

    const properties = join(dir(), 'latin1.properties');
    const latin1 = Buffer.from('# caf\xe9\nname=Jos\xe9\nkey=old\n', 'latin1');
    await writeFile(properties, latin1);
    const target = fileTarget(dir(), { path: properties, key: 'key' });
    await target.write(secret('né'), context);
    expect(await readFile(properties)).toEqual(
      Buffer.from('# caf\xe9\nname=Jos\xe9\nkey=n\\u00E9\n', 'latin1'),
    );
  });

  it.skipIf(process.getuid?.() !== 0)('gives the new file the owner of the one it replaces', async () => {
    const file = join(dir(), 'owned.env');
    await writeFile(file, 'A=1\n');
    await chown(file, 65534, 65534);

    await fileTarget(dir(), { path: file, key: 'API_KEY', mode: '0640' }).write(secret('k'), context);

    const after = await stat(file);
    expect([after.uid, after.gid]).toEqual([65534, 65534]);
  });
});

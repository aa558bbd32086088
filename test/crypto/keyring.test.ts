import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';

import { describe, expect, it } from 'vitest';

import { KeyturnError } from '../../src/core/errors';
import { SecretValue } from '../../src/core/secret';
import { Keyring } from '../../src/crypto/keyring';
import { FileMasterKey } from '../../src/crypto/master-key';

const canary = 'kcan_' + randomBytes(24).toString('hex');

describe('sealing', () => {
  const keyring = new Keyring(randomBytes(32));

  it('opens what it sealed, in the same context', () => {
    const sealed = keyring.seal(new SecretValue(canary), 'pending/orders/g2');
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain(canary);
    expect(keyring.open(sealed, 'pending/orders/g2').reveal()).toBe(canary);
  });

  it('seals the same value differently every time', () => {
    const value = new SecretValue(canary);
    expect(keyring.seal(value, 'c')).not.toBe(keyring.seal(value, 'c'));
  });

  it('refuses a sealed value moved to another context', () => {
    const sealed = keyring.seal(new SecretValue(canary), 'pending/orders/g2');
    expect(() => keyring.open(sealed, 'pending/orders/g3')).toThrow(KeyturnError);
  });

  it('refuses a sealed value that was tampered with', () => {
    const sealed = keyring.seal(new SecretValue(canary), 'c');
    const bytes = Buffer.from(sealed.slice(3), 'base64url');
    bytes[20] = (bytes[20] ?? 0) ^ 1;
    expect(() => keyring.open(`v1.${bytes.toString('base64url')}`, 'c')).toThrow(/failed authentication/);
  });

  it('refuses a value sealed under another master key, without echoing anything secret', () => {
    const other = new Keyring(randomBytes(32));
    const sealed = other.seal(new SecretValue(canary), 'c');
    try {
      keyring.open(sealed, 'c');
      expect.unreachable();
    } catch (error) {
      expect(String(error)).not.toContain(canary);
      expect((error as KeyturnError).kind).toBe('integrity');
    }
  });
});

describe('fingerprints and hashes', () => {
  it('are stable for one master key, differ between master keys, and reveal nothing', () => {
    const master = randomBytes(32);
    const a = new Keyring(master);
    const b = new Keyring(Buffer.from(master));
    const c = new Keyring(randomBytes(32));
    const value = new SecretValue(canary);
    expect(a.fingerprint(value)).toBe(b.fingerprint(value));
    expect(a.fingerprint(value)).not.toBe(c.fingerprint(value));
    expect(a.fingerprint(value)).toMatch(/^fp_[A-Za-z0-9_-]{16}$/);
    expect(a.hashKey(canary)).toMatch(/^[0-9a-f]{64}$/);
    expect(a.hashKey(canary)).not.toContain(canary);
  });

  it('derives separate keys per purpose: a fingerprint is not the verification hash', () => {
    const keyring = new Keyring(randomBytes(32));
    const fp = keyring.fingerprint(new SecretValue(canary)).slice(3);
    expect(Buffer.from(keyring.hashKey(canary), 'hex').toString('base64url')).not.toContain(fp);
  });

  it('compares hashes in constant time and refuses empty or unequal lengths', () => {
    expect(Keyring.sameHash('ab'.repeat(32), 'ab'.repeat(32))).toBe(true);
    expect(Keyring.sameHash('ab'.repeat(32), 'ab'.repeat(31) + 'ac')).toBe(false);
    expect(Keyring.sameHash('ab', 'abab')).toBe(false);
    expect(Keyring.sameHash('', '')).toBe(false);
  });
});

describe('secret values', () => {
  it('print, serialize and inspect as redacted', () => {
    const value = new SecretValue(canary);
    expect(String(value)).toBe('[redacted]');
    expect(JSON.stringify({ value })).toBe('{"value":"[redacted]"}');
    expect(inspect({ value })).not.toContain(canary);
  });
});

describe('the master key file', () => {
  it('is created on first use with 256 bits and mode 0600, then read back unchanged', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'keyturn-mk-')), 'sub', 'master.key');
    const first = await new FileMasterKey(path).load();
    expect(first).toHaveLength(32);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(await new FileMasterKey(path).load()).toEqual(first);
    expect(readFileSync(path, 'utf8').trim()).toBe(first.toString('base64'));
  });

  it('is refused when group or others can read it', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'keyturn-mk-')), 'master.key');
    writeFileSync(path, randomBytes(32).toString('base64'));
    chmodSync(path, 0o644);
    await expect(new FileMasterKey(path).load()).rejects.toThrow(/chmod 600/);
  });

  it('is refused when it does not hold 32 bytes', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'keyturn-mk-')), 'master.key');
    writeFileSync(path, randomBytes(16).toString('base64'), { mode: 0o600 });
    await expect(new FileMasterKey(path).load()).rejects.toThrow(/not 32 bytes/);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  type AuditEntry,
  EMPTY_HEAD,
  entryIssues,
  looksLikeKeyMaterial,
  MAX_PAYLOAD_CHARS,
  sealRecords,
} from '../../src/core/audit';
import { InvalidInputError } from '../../src/core/errors';
import { SecretValue } from '../../src/core/secret';
import { entry, SEED } from './support';

const pathsOf = (candidate: unknown): string[] => entryIssues(candidate).map((issue) => issue.path);

describe('audit entry guard', () => {
  it.each([
    [
      'a resource id',
      '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-prod/providers/Microsoft.KeyVault/vaults/kv1',
    ],
    [
      'a Key Vault secret version',
      'https://kv-prod.vault.azure.net/secrets/app-key/0123456789abcdef0123456789abcdef',
    ],
    ['a GUID', '7f9c2ba4-e88f-4f5c-9c5f-6a1e3b2d4c8f'],
    ['a ULID', '01HZX3K9Q8ABCDEF0123456789'],
    ['a SHA-256 digest in hex', 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['an ARN', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/payments-AbCdEf'],
    ['a camelCase name with digits', 'StorageAccountV2Key1RotationPolicy'],
    ['a file target', 'file:/etc/keyturn/payments/application-prod.properties#payments.api.key'],
    ['a Windows path', 'C:\\ProgramData\\keyturn\\app1\\config.properties'],
  ])('accepts %s in details', (_name, value) => {
    expect(entryIssues(entry(0, { details: { target: value } }))).toEqual([]);
  });

  it('refuses at least 95% of random 32-byte keys in base64 or base64url', () => {
    const keys = fc.sample(fc.uint8Array({ minLength: 32, maxLength: 32 }), { numRuns: 1_000, seed: SEED });
    for (const encoding of ['base64', 'base64url'] as const) {
      const caught = keys.filter((bytes) =>
        looksLikeKeyMaterial(Buffer.from(bytes).toString(encoding)),
      ).length;
      expect(caught, encoding).toBeGreaterThanOrEqual(950);
    }
  });

  it.each([
    ['a private key block', '-----BEGIN RSA PRIVATE KEY-----\nMIIE...'],
    ['a JWT', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig'],
    ['a bearer token', 'Authorization: Bearer abcdefghijklmnop1234'],
    ['a storage connection string', 'DefaultEndpointsProtocol=https;AccountName=a;AccountKey=abc'],
    ['a SAS query string', 'https://a.blob.core.windows.net/c?sv=2022-11-02&sig=abc%3D'],
    ['an interpolated SecretValue', `failed with ${String(new SecretValue('k'))}`],
  ])('refuses %s anywhere in the text', (_name, value) => {
    expect(pathsOf(entry(0, { reason: value }))).toEqual(['reason']);
    expect(pathsOf(entry(0, { details: { note: value } }))).toEqual(['details.note']);
  });

  it.each([
    ['an unknown field', { ...entry(0), key: 'x' }, ['key']],
    ['a missing eventId, type, at and actor', { credentialId: 'c' }, ['eventId', 'type', 'at', 'actor']],
    ['an event type outside the set', { ...entry(0), type: 'key.leaked' }, ['type']],
    ['a time with an offset', { ...entry(0), at: '2026-01-05T11:00:00.000+01:00' }, ['at']],
    ['an impossible date', { ...entry(0), at: '2026-02-30T00:00:00.000Z' }, ['at']],
    ['a negative generation', { ...entry(0), generation: -1 }, ['generation']],
    ['a fractional generation', { ...entry(0), generation: 1.5 }, ['generation']],
    ['a fingerprint that is not one', { ...entry(0), fingerprint: 'sha256:abc' }, ['fingerprint']],
    ['an outcome sentence', { ...entry(0), outcome: 'It worked!' }, ['outcome']],
    ['an empty actor', { ...entry(0), actor: '' }, ['actor']],
    ['control characters in an id', { ...entry(0), credentialId: 'a\u0000b' }, ['credentialId']],
    ['a lone surrogate', { ...entry(0), actor: 'a\uD800b' }, ['actor']],
    ['an over-long eventId', { ...entry(0), eventId: 'e'.repeat(513) }, ['eventId']],
    ['a nested object in details', { ...entry(0), details: { nested: { a: 1 } } }, ['details.nested']],
    [
      'a SecretValue in details',
      { ...entry(0), details: { target: new SecretValue('k') } },
      ['details.target'],
    ],
    ['a non-finite number in details', { ...entry(0), details: { ratio: Number.NaN } }, ['details.ratio']],
    ['details that are an array', { ...entry(0), details: ['a'] }, ['details']],
    [
      'a detail named like a secret',
      { ...entry(0), details: { clientSecret: 'x' } },
      ['details.clientSecret'],
    ],
    ['a detail name with spaces', { ...entry(0), details: { 'a b': 'x' } }, ['details']],
    [
      'too many details',
      { ...entry(0), details: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`d${i}`, i])) },
      ['details'],
    ],
  ])('refuses %s, naming the field', (_name, candidate, paths) => {
    expect(pathsOf(candidate)).toEqual(paths);
  });

  it('names the refused field without echoing its value', async () => {
    const secret = 'Zx81Kq02Lm93Np74Ab65Cd56Ef47Gh38';

    const error = await sealRecords(EMPTY_HEAD, [entry(0, { details: { target: secret } })]).then(
      () => undefined,
      (reason: unknown) => reason,
    );

    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).message).toContain('details.target');
    expect(
      JSON.stringify([(error as InvalidInputError).message, (error as InvalidInputError).issues]),
    ).not.toContain(secret);
  });

  it('refuses an entry whose canonical payload would not fit a table transaction', async () => {
    const details = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`part${i}`, 'x'.repeat(2_000)]));
    const oversized: AuditEntry = entry(0, { details });

    await expect(sealRecords(EMPTY_HEAD, [oversized])).rejects.toThrow(
      `at most ${MAX_PAYLOAD_CHARS} characters`,
    );
  });
});

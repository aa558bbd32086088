import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  isWellFormedKey,
  KEY_BODY_LENGTH,
  mintKey,
  scannerPattern,
} from '../../../src/adapters/issuers/managed/key-format';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

describe('managed key format', () => {
  it('names the issuer, carries 256 bits in base62 and ends in a checksum', () => {
    const key = mintKey('kord');
    expect(key).toMatch(/^kord_[0-9A-Za-z]{49}$/);
    expect(KEY_BODY_LENGTH * Math.log2(62)).toBeGreaterThanOrEqual(256);
    expect(isWellFormedKey(key)).toBe(true);
    expect(isWellFormedKey(key, 'kord')).toBe(true);
    expect(isWellFormedKey(key, 'kother')).toBe(false);
  });

  it('never mints the same key twice in 10,000 tries', () => {
    const keys = new Set(Array.from({ length: 10_000 }, () => mintKey('kord')));
    expect(keys.size).toBe(10_000);
  });

  it('lets a secret scanner find it with the published pattern', () => {
    const key = mintKey('kord');
    expect(new RegExp(scannerPattern('kord')).exec(`token: ${key} in a log`)?.[0]).toBe(key);
  });

  it('rejects every single-character change of a key (checksum)', () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat({ max: 61 }), (position, replacement) => {
        const key = mintKey('kord');
        const index = 5 + (position % 49);
        const original = key[index] ?? '';
        const substitute =
          BASE62[replacement] === original ? BASE62[(replacement + 1) % 62] : BASE62[replacement];
        const mutated = key.slice(0, index) + (substitute ?? '') + key.slice(index + 1);
        return !isWellFormedKey(mutated);
      }),
      { numRuns: 20_000 },
    );
  });

  it('accepts essentially none of 100,000 random look-alikes', () => {
    let accepted = 0;
    for (let i = 0; i < 100_000; i++) {
      let candidate = 'kord_';
      for (let j = 0; j < 49; j++) candidate += BASE62.charAt(Math.floor(Math.random() * 62));
      if (isWellFormedKey(candidate)) accepted++;
    }
    // A 32-bit checksum: the expected count is 100,000 / 2^32.
    expect(accepted).toBeLessThanOrEqual(1);
  });

  it.each([
    '',
    'kord',
    'kord_',
    'KORD_' + 'A'.repeat(49),
    'kord-' + 'A'.repeat(49),
    'kord_' + 'A'.repeat(48),
  ])('rejects the malformed %j', (candidate) => {
    expect(isWellFormedKey(candidate)).toBe(false);
  });
});

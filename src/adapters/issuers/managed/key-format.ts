import { randomInt } from 'node:crypto';
import { crc32 } from 'node:zlib';

/**
 * Managed keys look like `<prefix>_<43 base62 chars><6 base62 chars>`: the prefix names the
 * issuer (so secret scanners know whose key leaked), the body carries 256 bits from the CSPRNG
 * (62^43 > 2^256), and the tail is the CRC32 of everything before it, so a scanner can tell a real
 * key from a look-alike offline, without calling keyturn.
 */
export const KEY_BODY_LENGTH = 43;
export const KEY_CHECKSUM_LENGTH = 6;
export const KEY_PREFIX_PATTERN = /^[a-z][a-z0-9]{1,15}$/;

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export function mintKey(prefix: string): string {
  if (!KEY_PREFIX_PATTERN.test(prefix)) throw new RangeError(`Invalid managed key prefix "${prefix}".`);
  let body = '';
  for (let i = 0; i < KEY_BODY_LENGTH; i++) body += BASE62.charAt(randomInt(62));
  const head = `${prefix}_${body}`;
  return head + checksum(head);
}

/** True when `key` has the managed format and its checksum matches (says nothing of validity). */
export function isWellFormedKey(key: string, prefix?: string): boolean {
  const separator = key.lastIndexOf('_');
  if (separator < 2) return false;
  const keyPrefix = key.slice(0, separator);
  if (prefix !== undefined ? keyPrefix !== prefix : !KEY_PREFIX_PATTERN.test(keyPrefix)) return false;
  const rest = key.slice(separator + 1);
  if (rest.length !== KEY_BODY_LENGTH + KEY_CHECKSUM_LENGTH || !/^[0-9A-Za-z]+$/.test(rest)) return false;
  const head = key.slice(0, key.length - KEY_CHECKSUM_LENGTH);
  return checksum(head) === key.slice(key.length - KEY_CHECKSUM_LENGTH);
}

/** A regular expression secret scanners can use to find keys of one issuer. */
export function scannerPattern(prefix: string): string {
  return `\\b${prefix}_[0-9A-Za-z]{${KEY_BODY_LENGTH + KEY_CHECKSUM_LENGTH}}\\b`;
}

function checksum(text: string): string {
  let value = crc32(text);
  let out = '';
  for (let i = 0; i < KEY_CHECKSUM_LENGTH; i++) {
    out = BASE62.charAt(value % 62) + out;
    value = Math.floor(value / 62);
  }
  return out;
}

import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

import { z } from 'zod';

/** The keys that authorize calls to HTTP triggers, as the Functions host keeps them. */
export interface HostKeys {
  /** Admin-level key: every auth level accepts it. */
  readonly masterKey: string;
  /** Function-level keys by name; the `default` key is created with the host. */
  readonly functionKeys: Readonly<Record<string, string>>;
}

const hostKeysSchema = z.object({
  masterKey: z.string().min(32),
  functionKeys: z.record(z.string(), z.string().min(32)),
});

export function generateHostKeys(): HostKeys {
  const key = (): string => randomBytes(32).toString('base64url');
  return { masterKey: key(), functionKeys: { default: key() } };
}

/** Reads the host keys file, creating it (readable by its owner only) on first use. */
export function loadOrCreateHostKeys(path: string): HostKeys {
  if (existsSync(path)) {
    return hostKeysSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  }
  const keys = generateHostKeys();
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return keys;
}

export type AuthLevel = 'anonymous' | 'function' | 'admin';

/** Checks a presented key against an auth level, comparing in constant time. */
export function isAuthorized(keys: HostKeys, level: AuthLevel, presented: string | undefined): boolean {
  if (level === 'anonymous') return true;
  if (presented === undefined) return false;
  const candidates =
    level === 'admin' ? [keys.masterKey] : [keys.masterKey, ...Object.values(keys.functionKeys)];
  return candidates.some((key) => constantTimeEquals(key, presented));
}

function constantTimeEquals(expected: string, presented: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}

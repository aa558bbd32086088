import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach } from 'vitest';

import type { RotationContext, Target } from '../../../src/adapters/ports';
import { fileTargetAdapter, fileTargetSchema } from '../../../src/adapters/targets/file';
import { ManualClock } from '../../support/clock';

export const context: RotationContext = {
  credentialId: 'billing-api',
  generation: 2,
  rotationId: 'rot-1',
  fingerprint: 'sha256:abc',
};

/** A fresh directory per test, removed afterwards; the getter gives its path. */
export function useTempDir(): () => string {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keyturn-file-target-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  return () => dir;
}

/** A target built the way the engine builds it: configuration parsed by the schema first. */
export function fileTarget(baseDir: string, config: Record<string, unknown>): Target {
  const parsed = fileTargetSchema.parse({ kind: 'file', ...config });
  return fileTargetAdapter.create(parsed, { baseDir, clock: new ManualClock() });
}

/** Staging files a write left behind. */
export async function leftovers(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.includes('.keyturn-'));
}

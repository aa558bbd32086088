import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import {
  cacheRoot,
  canResolveBicep,
  compileMain,
  repoRoot,
  resolveBicep,
  type ResolvedBicep,
} from '../../../scripts/bicep.mjs';
import type { ArmTemplate } from './arm';

/**
 * Whether the Bicep tests must run. In CI they always run, so a CLI that cannot be resolved
 * (not on PATH, not cached, not fetchable) fails the run instead of skipping it. Locally they are
 * skipped only when there is no way at all to get the CLI (no `bicep`, no cache, no .NET SDK).
 */
export function bicepTestsEnabled(
  env: NodeJS.ProcessEnv = process.env,
  canResolve = canResolveBicep,
): boolean {
  return Boolean(env.CI) || canResolve();
}

/** Time allowed for the first resolution, which may fetch the package from NuGet. */
export const BICEP_SETUP_TIMEOUT_MS = 300_000;

/** Resolves the CLI (fetching it on first use) and says where it came from. */
export function getBicep(): ResolvedBicep {
  return resolveBicep({
    log: (message) => {
      console.log(message);
    },
  });
}

function inputsDigest(version: string): string {
  const hash = createHash('sha256').update(version);
  const roots = ['infra', path.join('templates', 'workbooks')];
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.push(full);
    }
  };
  for (const root of roots) walk(path.join(repoRoot, root));
  for (const file of files.sort()) {
    hash.update(path.relative(repoRoot, file)).update(fs.readFileSync(file));
  }
  return hash.digest('hex').slice(0, 24);
}

/**
 * The ARM template compiled from infra/main.bicep by the real CLI. Test files share one
 * compilation per content of infra/ (and CLI version) through a cache under .cache/bicep/.
 */
export function compiledMainTemplate(bicep: ResolvedBicep): ArmTemplate {
  const cacheFile = path.join(cacheRoot, 'compiled', `main-${inputsDigest(bicep.version)}.json`);
  if (!fs.existsSync(cacheFile)) {
    const text = compileMain(bicep.path);
    fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
    const partial = `${cacheFile}.${String(process.pid)}.tmp`;
    fs.writeFileSync(partial, text);
    fs.renameSync(partial, cacheFile);
  }
  return JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as ArmTemplate;
}

export function readRepoFile(relativePath: string): string {
  return fs.readFileSync(path.join(repoRoot, relativePath), 'utf8');
}

export function readRepoJson<T>(relativePath: string): T {
  return JSON.parse(readRepoFile(relativePath)) as T;
}

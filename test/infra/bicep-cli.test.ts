import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  blockingDiagnostics,
  compileMain,
  infraPattern,
  repoRoot,
  type ResolvedBicep,
  runBicep,
} from '../../scripts/bicep.mjs';
import { type ArmTemplate, type Json, withoutGenerator } from './support/arm';
import { BICEP_SETUP_TIMEOUT_MS, bicepTestsEnabled, getBicep, readRepoJson } from './support/bicep';

function bicepFiles(dir = path.join(repoRoot, 'infra')): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return bicepFiles(full);
    return entry.name.endsWith('.bicep') ? [full] : [];
  });
}

function describeDiagnostics(run: ReturnType<typeof runBicep>): string {
  return blockingDiagnostics(run)
    .map(
      (d) =>
        `${path.relative(repoRoot, d.file)}(${String(d.line)},${String(d.column)}) ${d.level} ${d.code}: ${d.message}`,
    )
    .join('\n');
}

describe('Bicep CLI resolution policy', () => {
  it('runs the Bicep tests in CI even when the CLI cannot be resolved, so that they fail', () => {
    expect(bicepTestsEnabled({ CI: 'true' }, () => false)).toBe(true);
  });

  it('skips the Bicep tests locally only when there is no way to get the CLI', () => {
    expect(bicepTestsEnabled({}, () => false)).toBe(false);
    expect(bicepTestsEnabled({}, () => true)).toBe(true);
  });

  it('fails with a clear message when no CLI, no cache and no .NET SDK are available', () => {
    const result = spawnSync(process.execPath, [path.join(repoRoot, 'scripts', 'bicep.mjs'), 'path'], {
      encoding: 'utf8',
      env: { PATH: '', KEYTURN_BICEP_VERSION: '0.0.0-not-cached' },
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Bicep CLI not found');
  });
});

describe.runIf(bicepTestsEnabled())('Bicep templates with the real CLI', () => {
  let bicep: ResolvedBicep;
  let outdir: string;

  beforeAll(() => {
    bicep = getBicep();
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyturn-bicep-test-'));
    console.log(`Bicep CLI ${bicep.version} from ${bicep.source}: ${bicep.path}`);
  }, BICEP_SETUP_TIMEOUT_MS);

  afterAll(() => {
    fs.rmSync(outdir, { recursive: true, force: true });
  });

  it('finds every module of the deployment under infra/', () => {
    const relative = bicepFiles().map((file) => path.relative(repoRoot, file).split(path.sep).join('/'));
    expect(relative).toEqual(
      expect.arrayContaining([
        'infra/main.bicep',
        'infra/modules/identity.bicep',
        'infra/modules/storage.bicep',
        'infra/modules/monitoring.bicep',
        'infra/modules/keyvault.bicep',
        'infra/modules/functionapp.bicep',
        'infra/modules/rbac/managed-resources.bicep',
        'infra/modules/alerts.bicep',
        'infra/modules/workbook.bicep',
        'infra/modules/eventgrid.bicep',
      ]),
    );
  });

  it('builds every .bicep file with zero errors and zero warnings', () => {
    const run = runBicep(bicep.path, ['build', '--pattern', infraPattern, '--outdir', outdir]);
    expect(describeDiagnostics(run)).toBe('');
    expect(run.status).toBe(0);
    for (const file of bicepFiles()) {
      const compiled = path
        .join(outdir, path.relative(path.join(repoRoot, 'infra'), file))
        .replace(/\.bicep$/, '.json');
      expect(fs.existsSync(compiled), `${compiled} was not produced`).toBe(true);
    }
  });

  it('lints every .bicep file with zero errors and zero warnings', () => {
    const run = runBicep(bicep.path, ['lint', '--pattern', infraPattern]);
    expect(describeDiagnostics(run)).toBe('');
    expect(run.status).toBe(0);
  });

  it('keeps azuredeploy.json identical to infra/main.bicep compiled (apart from the generator block)', () => {
    const fresh = withoutGenerator(JSON.parse(compileMain(bicep.path)) as Json);
    const committed = withoutGenerator(readRepoJson<Json>('azuredeploy.json'));
    expect(committed, 'azuredeploy.json is stale: run `npm run infra:build`').toEqual(fresh);
  });

  it('compiles to a subscription-scope template that the Deploy to Azure button accepts', () => {
    const template = readRepoJson<ArmTemplate>('azuredeploy.json');
    expect(template.$schema).toBe(
      'https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#',
    );
  });
});

describe('Bicep linter configuration', () => {
  const config = readRepoJson<{
    analyzers: { core: { enabled: boolean; rules: Record<string, { level: string }> } };
  }>('infra/bicepconfig.json');

  it.each([
    'outputs-should-not-contain-secrets',
    'secure-secrets-in-params',
    'secure-parameter-default',
    'use-secure-value-for-secure-inputs',
    'use-recent-api-versions',
    'no-hardcoded-env-urls',
    'no-hardcoded-location',
    'no-unused-params',
    'no-unused-vars',
    'no-unused-existing-resources',
    'no-unnecessary-dependson',
    'prefer-interpolation',
    'simplify-interpolation',
    'use-resource-symbol-reference',
    'use-resource-id-functions',
    'use-user-defined-types',
  ])('raises %s to error', (rule) => {
    expect(config.analyzers.core.enabled).toBe(true);
    expect(config.analyzers.core.rules[rule]?.level).toBe('error');
  });

  it('sets no rule to warning, so that nothing the linter finds can pass silently', () => {
    const levels = Object.values(config.analyzers.core.rules).map((rule) => rule.level);
    expect(levels).not.toContain('warning');
    expect(levels).not.toContain('info');
  });
});

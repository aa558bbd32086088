import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { loadConfig, loadConfigFile } from '../../src/config/load';
import { settingsSchema } from '../../src/config/settings';
import { InvalidInputError } from '../../src/core/errors';

const valid = () => ({
  version: 1,
  policies: { standard: { maxAge: 'P90D' } },
  issuers: { acme: { kind: 'managed', prefix: 'kacme' } },
  credentials: [
    {
      id: 'billing-key',
      owner: 'billing@example.com',
      application: 'billing',
      environment: 'prod',
      issuer: 'acme',
      policy: 'standard',
      targets: [{ kind: 'file', path: '/etc/billing/.env', key: 'BILLING_KEY' }],
    },
  ],
});

function issuesOf(document: unknown): string[] {
  try {
    loadConfig(document, '/tmp', 'test');
  } catch (error) {
    if (error instanceof InvalidInputError) return error.issues.map((i) => `${i.path}: ${i.message}`);
    throw error;
  }
  return [];
}

describe('configuration', () => {
  it('accepts a minimal configuration and fills in the policy defaults', () => {
    const { config } = loadConfig(valid(), '/tmp', 'test');
    expect(config.policies['standard']).toMatchObject({
      maxAge: 90 * 86_400_000,
      renewBefore: 14 * 86_400_000,
      grace: 86_400_000,
      changeWindows: [],
      requireApproval: false,
    });
    expect(config.credentials[0]?.mode).toBe('automatic');
  });

  it.each<[string, (d: ReturnType<typeof valid>) => unknown, string]>([
    [
      'a duration in months',
      (d) => ((d.policies.standard as Record<string, unknown>)['maxAge'] = 'P3M'),
      'policies.standard.maxAge',
    ],
    [
      'a duration that is not ISO 8601',
      (d) => ((d.policies.standard as Record<string, unknown>)['grace'] = '24h'),
      'policies.standard.grace',
    ],
    [
      'a renewal window longer than the period',
      (d) => ((d.policies.standard as Record<string, unknown>)['renewBefore'] = 'P100D'),
      'policies.standard.renewBefore',
    ],
    [
      'a credential id with capitals',
      (d) => ((d.credentials[0] as Record<string, unknown>)['id'] = 'Billing'),
      'credentials[0].id',
    ],
    [
      'an undeclared issuer',
      (d) => ((d.credentials[0] as Record<string, unknown>)['issuer'] = 'nobody'),
      'credentials[0].issuer',
    ],
    [
      'an undeclared policy',
      (d) => ((d.credentials[0] as Record<string, unknown>)['policy'] = 'lax'),
      'credentials[0].policy',
    ],
    [
      'no targets',
      (d) => ((d.credentials[0] as Record<string, unknown>)['targets'] = []),
      'credentials[0].targets',
    ],
    [
      'an unknown target kind',
      (d) => ((d.credentials[0]?.targets[0] as Record<string, unknown>)['kind'] = 'ftp'),
      'credentials[0].targets[0].kind',
    ],
    [
      'a file target mode open to others',
      (d) => ((d.credentials[0]?.targets[0] as Record<string, unknown>)['mode'] = '0644'),
      'credentials[0].targets[0].mode',
    ],
    [
      'an invalid managed key prefix',
      (d) => ((d.issuers.acme as Record<string, unknown>)['prefix'] = 'Has_Upper'),
      'issuers.acme.prefix',
    ],
    [
      'an unknown field',
      (d) => ((d.credentials[0] as Record<string, unknown>)['owners'] = 'x'),
      'credentials[0]',
    ],
    [
      'a change window in an unknown time zone',
      (d) =>
        ((d.policies.standard as Record<string, unknown>)['changeWindows'] = [
          { days: ['mon'], start: '09:00', end: '17:00', timeZone: 'Mars/Olympus' },
        ]),
      'policies.standard.changeWindows[0].timeZone',
    ],
    [
      'an HTTP validator with an FTP URL',
      (d) =>
        ((d.credentials[0] as Record<string, unknown>)['validators'] = [{ kind: 'http', url: 'ftp://x' }]),
      'credentials[0].validators[0].url',
    ],
  ])('names the field for %s', (_label, mutate, path) => {
    const document = valid();
    mutate(document);
    const issues = issuesOf(document);
    expect(
      issues.some((issue) => issue.startsWith(`${path}:`)),
      issues.join('\n'),
    ).toBe(true);
  });

  it('reports every problem at once, not just the first', () => {
    const document = valid();
    (document.credentials[0] as Record<string, unknown>)['issuer'] = 'nobody';
    (document.credentials[0] as Record<string, unknown>)['policy'] = 'lax';
    expect(issuesOf(document)).toHaveLength(2);
  });

  it('reads YAML files and names the file when its syntax is broken', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyturn-config-'));
    const good = join(dir, 'keyturn.config.yaml');
    writeFileSync(good, `version: 1\npolicies: {}\nissuers: {}\ncredentials: []\n`);
    expect(loadConfigFile(good).config.credentials).toEqual([]);
    const bad = join(dir, 'broken.yaml');
    writeFileSync(bad, 'version: [1\n');
    expect(() => loadConfigFile(bad)).toThrow(/broken\.yaml/);
  });
});

describe('app settings', () => {
  it('has working defaults for everything but the master key location', () => {
    expect(settingsSchema.parse({})).toMatchObject({
      KEYTURN_STORAGE_CONNECTION: 'AzureWebJobsStorage',
      KEYTURN_TABLE_PREFIX: 'keyturn',
      KEYTURN_SCAN_SCHEDULE: '0 */15 * * * *',
    });
  });

  it.each([
    ['KEYTURN_SCAN_SCHEDULE', '*/5 * * * *'],
    ['KEYTURN_SCAN_SCHEDULE', 'every five minutes'],
    ['KEYTURN_MASTER_KEY_VAULT_URL', 'http://vault.example.com'],
  ])('refuses %s = %j, naming it', (name, value) => {
    const result = settingsSchema.safeParse({ [name]: value });
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual([name]);
  });

  it('treats empty settings (as Bicep and local.settings.json write them) as unset', () => {
    const parsed = settingsSchema.parse({ KEYTURN_MASTER_KEY_VAULT_URL: '', KEYTURN_MASTER_KEY_FILE: '' });
    expect(parsed.KEYTURN_MASTER_KEY_VAULT_URL).toBeUndefined();
    expect(parsed.KEYTURN_MASTER_KEY_FILE).toBeUndefined();
  });

  it('names a bad setting', () => {
    const result = settingsSchema.safeParse({ KEYTURN_TABLE_PREFIX: '1bad-prefix' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['KEYTURN_TABLE_PREFIX']);
  });
});

describe('shipped configuration files', () => {
  const root = join(__dirname, '..', '..');
  const examples = [
    'keyturn.config.yaml',
    ...readdirSync(join(root, 'templates', 'config')).map((f) => join('templates', 'config', f)),
  ];

  it.each(examples)('%s is valid', (file) => {
    expect(() => loadConfigFile(join(root, file))).not.toThrow();
  });
});

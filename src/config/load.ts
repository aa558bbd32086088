import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

import { parse as parseYaml } from 'yaml';

import { InvalidInputError, KeyturnError } from '../core/errors';
import type { Policy } from '../core/policy';
import { configSchema, type CredentialConfig, type KeyturnConfig } from './schema';
import { parseOrThrow } from './validate';

/** A validated configuration and where it came from. */
export interface LoadedConfig {
  readonly config: KeyturnConfig;
  /** Folder that relative paths in the configuration are resolved against. */
  readonly baseDir: string;
  readonly source: string;
  credential(id: string): CredentialConfig | undefined;
  policyOf(credential: CredentialConfig): Policy;
}

/** Validates a configuration document (already parsed from YAML or JSON). */
export function loadConfig(document: unknown, baseDir: string, source: string): LoadedConfig {
  const config = parseOrThrow(configSchema, document, `configuration ${source}`);
  const byId = new Map(config.credentials.map((c) => [c.id, c]));
  return {
    config,
    baseDir,
    source,
    credential: (id) => byId.get(id),
    policyOf: (credential) => {
      const policy = config.policies[credential.policy];
      if (!policy)
        throw new KeyturnError('internal', `Policy ${credential.policy} vanished from the configuration.`);
      return policy;
    },
  };
}

/** Reads and validates a configuration file (`.yaml`, `.yml` or `.json`). */
export function loadConfigFile(path: string): LoadedConfig {
  const absolute = resolve(path);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    throw new KeyturnError('invalid-input', `Cannot read the configuration file ${absolute}.`, {
      retryable: false,
      cause: error,
    });
  }
  let document: unknown;
  try {
    document = absolute.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new InvalidInputError(`configuration ${absolute}`, [
      {
        path: '(file)',
        message: `is not valid ${absolute.endsWith('.json') ? 'JSON' : 'YAML'}: ${String(error)}`,
      },
    ]);
  }
  return loadConfig(document, dirname(absolute), absolute);
}

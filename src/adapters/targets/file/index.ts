import { resolve } from 'node:path';

import { KeyturnError } from '../../../core/errors';
import type { TargetAdapter } from '../../ports';
import { fileTargetSchema, inferFormat, parseMode } from './schema';
import { FileTarget } from './target';

/**
 * Distributes a key into a file on this host (.env, .properties, JSON or YAML), so applications
 * that read their configuration from files pick it up without code changes.
 */
export const fileTargetAdapter = {
  kind: 'file',
  schema: fileTargetSchema,
  create(config, deps) {
    const file = resolve(deps.baseDir, config.path);
    const format = config.format ?? inferFormat(file);
    if (format === undefined) {
      throw new KeyturnError(
        'invalid-input',
        `File target ${file} needs a format: its name does not imply one.`,
        {
          details: { file },
        },
      );
    }
    return new FileTarget({ file, format, key: config.key, mode: parseMode(config.mode) });
  },
} satisfies TargetAdapter<typeof fileTargetSchema>;

export { type FileTargetConfig, fileTargetSchema } from './schema';

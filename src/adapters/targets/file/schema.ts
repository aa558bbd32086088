import { basename, extname } from 'node:path';

import { z } from 'zod';

export const fileFormats = ['env', 'properties', 'json', 'yaml'] as const;
export type FileFormat = (typeof fileFormats)[number];

/**
 * The format a file name implies: by extension, else the conventional `.env` spellings (`.env`,
 * `.env.local`, `app.env`). Returns undefined when the name says nothing, so the caller can insist on
 * an explicit `format`.
 */
export function inferFormat(path: string): FileFormat | undefined {
  const name = basename(path).toLowerCase();
  switch (extname(name)) {
    case '.properties':
      return 'properties';
    case '.json':
      return 'json';
    case '.yaml':
    case '.yml':
      return 'yaml';
    default:
      return name === '.env' || name.startsWith('.env.') || name.endsWith('.env') ? 'env' : undefined;
  }
}

// Dotenv parsers accept `.` and `-` in names; a leading digit is refused everywhere.
const envKey = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
// Keys that need no escaping in a .properties file, so the configured name is the written name.
const propertiesKey = /^[!-~]+$/;
const propertiesKeyForbidden = /[=:#!\\]/;
const jsonPointer = /^(?:\/(?:[^~/]|~[01])*)+$/;

function keyProblem(format: FileFormat, key: string): string | undefined {
  switch (format) {
    case 'env':
      return envKey.test(key)
        ? undefined
        : 'must be a variable name: letters, digits, _, . or -, not starting with a digit';
    case 'properties':
      return propertiesKey.test(key) && !propertiesKeyForbidden.test(key)
        ? undefined
        : 'must be a property name of printable ASCII without spaces, =, :, #, ! or \\';
    case 'json':
    case 'yaml':
      return jsonPointer.test(key)
        ? undefined
        : "must be a JSON Pointer such as /a/b/0 (RFC 6901: '~' only as ~0 or ~1)";
  }
}

/** The widest mode allowed: the file holds a key, so others get nothing and the group may only read. */
const loosestMode = 0o640;

export function parseMode(mode: string): number {
  return Number.parseInt(mode, 8);
}

const modeSchema = z
  .string()
  .regex(/^0?[0-7]{3}$/, "must be an octal file mode such as '0600'")
  .refine(
    (mode) => (parseMode(mode) & ~loosestMode) === 0,
    'is looser than 0640: nobody may execute the file, the group may at most read it, others get nothing',
  )
  .refine((mode) => (parseMode(mode) & 0o400) !== 0, 'must let the owner read the file');

export const fileTargetSchema = z
  .object({
    kind: z.literal('file'),
    /** File to write; relative paths resolve against the configuration's folder. */
    path: z
      .string()
      .min(1, 'must not be empty')
      .refine((path) => !path.includes('\0'), 'must not contain a NUL character'),
    /** Inferred from the file name when omitted. */
    format: z.enum(fileFormats).optional(),
    /** Variable or property name (env, properties) or JSON Pointer (json, yaml). */
    key: z.string().min(1, 'must not be empty'),
    /** Octal permissions of the written file. */
    mode: modeSchema.default('0600'),
  })
  .strict()
  .superRefine((config, ctx) => {
    const format = config.format ?? inferFormat(config.path);
    if (format === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['format'],
        message: `is required: the file name of path does not say which format it has (${fileFormats.join(', ')})`,
      });
      return;
    }
    const problem = keyProblem(format, config.key);
    if (problem !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['key'], message: `${problem} (format ${format})` });
    }
  });

export type FileTargetConfig = z.infer<typeof fileTargetSchema>;

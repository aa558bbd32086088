import { z } from 'zod';

import { appConfigurationEndpointSchema, secretNameSchema, vaultUrlSchema } from '../../azure/endpoints';

// App Configuration reserves % in keys and labels; * , and \ are filter syntax in labels.
const noControl = (text: string): boolean => !/\p{Cc}/u.test(text);

export const appConfigurationTargetSchema = z
  .object({
    kind: z.literal('app-configuration'),
    /** `https://<store>.azconfig.io` (or a sovereign cloud's suffix). */
    endpoint: appConfigurationEndpointSchema,
    key: z
      .string()
      .min(1, 'must not be empty')
      .max(1024, 'must be at most 1024 characters')
      .refine((key) => key !== '.' && key !== '..', 'must not be . or ..')
      .refine((key) => !key.includes('%') && noControl(key), 'must not contain % or control characters'),
    /** Label (environment, say); omitted means the null label. */
    label: z
      .string()
      .min(1, 'must not be empty (omit it for the null label)')
      .max(256, 'must be at most 256 characters')
      .refine(
        (label) => !/[%*,\\]/.test(label) && noControl(label),
        'must not contain %, *, comma, backslash or control characters',
      )
      .optional(),
    /**
     * plain: the key-value holds the key. key-vault-reference: the key goes into `secret` as a new
     * version and the key-value holds a versionless reference to it.
     */
    valueType: z.enum(['plain', 'key-vault-reference']).default('plain'),
    /** Content type of a plain key-value keyturn creates (an existing one keeps its own). */
    contentType: z.string().min(1).max(255).optional(),
    /** The Key Vault secret a key-vault-reference key-value points at. */
    secret: z.object({ vaultUrl: vaultUrlSchema, name: secretNameSchema }).strict().optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    if (config.valueType === 'key-vault-reference' && config.secret === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['secret'],
        message:
          'is required with valueType key-vault-reference: the { vaultUrl, name } of the secret to reference',
      });
    }
    if (config.valueType === 'plain' && config.secret !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['secret'],
        message: 'is only used with valueType key-vault-reference',
      });
    }
    if (config.valueType === 'key-vault-reference' && config.contentType !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['contentType'],
        message: 'is fixed for a Key Vault reference (application/vnd.microsoft.appconfig.keyvaultref+json)',
      });
    }
  });

export type AppConfigurationTargetConfig = z.infer<typeof appConfigurationTargetSchema>;

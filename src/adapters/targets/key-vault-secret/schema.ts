import { z } from 'zod';

import { secretNameSchema, vaultUrlSchema } from '../../azure/endpoints';

export const keyVaultSecretTargetSchema = z
  .object({
    kind: z.literal('key-vault-secret'),
    /** `https://<vault>.vault.azure.net` (or a sovereign cloud's vault suffix). */
    vaultUrl: vaultUrlSchema,
    /** Secret name: 1-127 letters, digits or dashes. */
    name: secretNameSchema,
    /** Content type of each version keyturn writes. */
    contentType: z.string().min(1).max(255).default('text/plain'),
  })
  .strict();

export type KeyVaultSecretTargetConfig = z.infer<typeof keyVaultSecretTargetSchema>;

import { z } from 'zod';

import { KEY_PREFIX_PATTERN } from './key-format';

export const managedIssuerSchema = z
  .object({
    kind: z.literal('managed'),
    /** Names the issuer inside every key (`<prefix>_…`), for secret scanners. */
    prefix: z
      .string()
      .regex(KEY_PREFIX_PATTERN, 'must be 2-16 lowercase letters or digits, starting with a letter'),
  })
  .strict();

export type ManagedIssuerConfig = z.infer<typeof managedIssuerSchema>;

import { z } from 'zod';

import { resourceIdSchema } from '../../azure/resource-id';
import { SITE } from '../../targets/app-service-settings/schema';

export const functionAppKeyIssuerSchema = z
  .object({
    kind: z.literal('function-app-key'),
    /** ARM id of the Function App (`…/providers/Microsoft.Web/sites/<app>`), or of one of its slots. */
    resourceId: resourceIdSchema([SITE]),
    /** Stem of the key names: each generation's key is `<keyName>-g<generation>`. */
    keyName: z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9_.-]{0,49}$/,
        'must be 1-50 letters, digits, _ . or -, starting with a letter or digit',
      ),
    /** Host keys (`functionKeys`, valid for every function, or `systemKeys`), or one function's keys. */
    scope: z.enum(['functionKeys', 'systemKeys', 'function']).default('functionKeys'),
    /** The function whose keys these are, with scope `function`. */
    functionName: z
      .string()
      .regex(
        /^[A-Za-z][A-Za-z0-9_-]{0,127}$/,
        'must be a function name: a letter, then letters, digits, _ or -',
      )
      .optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    if (config.scope === 'function' && config.functionName === undefined) {
      ctx.addIssue({ code: 'custom', path: ['functionName'], message: 'is required with scope function' });
    }
    if (config.scope !== 'function' && config.functionName !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['functionName'], message: 'is only used with scope function' });
    }
  });

export type FunctionAppKeyIssuerConfig = z.infer<typeof functionAppKeyIssuerSchema>;

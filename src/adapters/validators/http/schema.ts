import { z } from 'zod';

export const httpValidatorSchema = z
  .object({
    kind: z.literal('http'),
    /** Endpoint of the API the key is for; called with the new key before the old one retires. */
    url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
    method: z.enum(['GET', 'HEAD', 'POST']).default('GET'),
    /** How the key is presented: a header, a bearer token or a query parameter. */
    present: z
      .discriminatedUnion('as', [
        z.object({
          as: z.literal('header'),
          name: z.string().regex(/^[A-Za-z0-9-]+$/, 'must be a header name'),
        }),
        z.object({ as: z.literal('bearer') }),
        z.object({
          as: z.literal('query'),
          name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'must be a parameter name'),
        }),
      ])
      .default({ as: 'header', name: 'x-api-key' }),
    /** Statuses that mean "the key works". */
    expectStatus: z.array(z.int().min(100).max(599)).min(1).default([200, 204]),
    timeoutMs: z.int().min(100).max(60_000).default(5_000),
  })
  .strict();

export type HttpValidatorConfig = z.infer<typeof httpValidatorSchema>;

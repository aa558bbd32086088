import { z } from 'zod';

type KindedSchema = z.ZodObject<{ kind: z.ZodLiteral<string> }>;

/**
 * The configuration schema of one adapter family: a discriminated union on `kind` built from its
 * registry, so that registering an adapter is all it takes to accept its configuration.
 */
export function unionOfAdapters<R extends Readonly<Record<string, { readonly schema: KindedSchema }>>>(
  registry: R,
) {
  const schemas = Object.values(registry).map((adapter) => adapter.schema) as [
    R[keyof R]['schema'],
    ...R[keyof R]['schema'][],
  ];
  return z.discriminatedUnion('kind', schemas);
}

// A typed view of the ARM JSON that Bicep emits (language version 2.0: resources keyed by
// symbolic name; modules are nested Microsoft.Resources/deployments with an inline template).

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = Record<string, Json>;

export interface ArmParameter {
  readonly type: string;
  readonly defaultValue?: Json;
  readonly allowedValues?: Json[];
  readonly metadata?: JsonObject;
}

export interface ArmResource {
  readonly type: string;
  readonly apiVersion: string;
  readonly name: string;
  readonly condition?: string | boolean;
  readonly existing?: boolean;
  readonly scope?: string;
  readonly kind?: string;
  readonly location?: string;
  readonly tags?: Json;
  readonly identity?: JsonObject;
  readonly sku?: JsonObject;
  readonly copy?: { readonly name: string; readonly count: string | number };
  readonly properties?: JsonObject;
}

export interface ArmTemplate {
  readonly $schema: string;
  readonly languageVersion?: string;
  readonly metadata?: JsonObject;
  readonly parameters?: Record<string, ArmParameter>;
  readonly variables?: JsonObject;
  readonly resources: Record<string, ArmResource> | ArmResource[];
  readonly outputs?: Record<string, { readonly type: string; readonly value: Json }>;
}

export function resourcesOf(template: ArmTemplate): Record<string, ArmResource> {
  if (!Array.isArray(template.resources)) return template.resources;
  return Object.fromEntries(template.resources.map((resource) => [resource.name, resource]));
}

export function resource(template: ArmTemplate, symbol: string): ArmResource {
  const found = resourcesOf(template)[symbol];
  if (!found) throw new Error(`no resource '${symbol}' in template`);
  return found;
}

/** The inline template of the module (nested deployment) with this symbolic name. */
export function moduleTemplate(template: ArmTemplate, symbol: string): ArmTemplate {
  const deployment = resource(template, symbol);
  if (deployment.type !== 'Microsoft.Resources/deployments') throw new Error(`'${symbol}' is not a module`);
  return deployment.properties?.template as unknown as ArmTemplate;
}

export interface Located {
  readonly symbol: string;
  readonly resource: ArmResource;
  /** Symbolic names of the modules that lead to this resource, outermost first. */
  readonly modulePath: readonly string[];
}

/** Every resource in the template and in all nested modules. */
export function allResources(template: ArmTemplate, modulePath: readonly string[] = []): Located[] {
  const found: Located[] = [];
  for (const [symbol, item] of Object.entries(resourcesOf(template))) {
    found.push({ symbol, resource: item, modulePath });
    if (item.type === 'Microsoft.Resources/deployments') {
      const nested = item.properties?.template as unknown as ArmTemplate | undefined;
      if (nested) found.push(...allResources(nested, [...modulePath, symbol]));
    }
  }
  return found;
}

/** Deployed (not `existing`) resources of one type, anywhere in the template. */
export function deployedOfType(template: ArmTemplate, type: string): Located[] {
  return allResources(template).filter(
    (located) =>
      located.resource.type.toLowerCase() === type.toLowerCase() && located.resource.existing !== true,
  );
}

/** The single deployed resource of a type; fails when there is not exactly one. */
export function single(template: ArmTemplate, type: string): ArmResource {
  const found = deployedOfType(template, type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${String(found.length)}`);
  return found[0]!.resource;
}

/** Reads a nested property; undefined when any step is missing. */
export function at(value: Json | undefined, ...keys: (string | number)[]): Json | undefined {
  let current: Json | undefined = value;
  for (const key of keys) {
    if (current === null || current === undefined || typeof current !== 'object') return undefined;
    current = Array.isArray(current) ? current[Number(key)] : current[String(key)];
  }
  return current;
}

/** The value as a string; fails when it is anything else. */
export function text(value: Json | undefined): string {
  if (typeof value !== 'string')
    throw new Error(`expected a string, got ${value === undefined ? 'undefined' : JSON.stringify(value)}`);
  return value;
}

/** Removes every `_generator` block (Bicep version and template hash) from a compiled template. */
export function withoutGenerator(value: Json): Json {
  if (Array.isArray(value)) return value.map(withoutGenerator);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => key !== '_generator')
        .map(([key, inner]) => [key, withoutGenerator(inner)]),
    );
  }
  return value;
}

/** Every string anywhere in a JSON value. */
export function allStrings(value: Json | undefined): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(allStrings);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, inner]) => [key, ...allStrings(inner)]);
  }
  return [];
}

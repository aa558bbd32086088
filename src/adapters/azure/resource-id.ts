import { z } from 'zod';

/**
 * Azure Resource Manager ids, parsed and validated at configuration time. ARM compares ids
 * case-insensitively; names keep the case they were given.
 */
export interface ResourceId {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  /** Provider namespace as ARM spells it (`Microsoft.Web`). */
  readonly namespace: string;
  /** Resource types and names from the top: `[['sites', 'orders'], ['slots', 'staging']]`. */
  readonly segments: readonly (readonly [type: string, name: string])[];
  /** The id, normalised: `/subscriptions/…/resourceGroups/…/providers/…`. */
  readonly id: string;
}

const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Resource group names: 1-90 letters, digits, underscores, hyphens, periods and parentheses, not ending in a period.
const resourceGroup = /^[-\w.()]{0,89}[-\w()]$/u;

/** One expected resource type: its provider, type path and the rule each name must follow. */
export interface ResourceShape {
  readonly label: string;
  readonly namespace: string;
  /** Types from the top, each with a name pattern and what the pattern means. */
  readonly types: readonly { readonly type: string; readonly name: RegExp; readonly rule: string }[];
  /** How many trailing types may be left out (a site id without `/slots/<slot>`). */
  readonly optionalTail?: number;
}

/** Parses an id of one of `shapes`, or says what is wrong with it. */
export function parseResourceId(
  value: string,
  shapes: readonly ResourceShape[],
): { ok: true; id: ResourceId; shape: ResourceShape } | { ok: false; problem: string } {
  const parts = value.split('/');
  const expected = shapes.map(
    (s) =>
      `/subscriptions/<id>/resourceGroups/<group>/providers/${s.namespace}/${s.types.map((t) => `${t.type}/<name>`).join('/')}`,
  );
  const shapeHint = `must be an ARM resource id such as ${expected.join(' or ')}`;
  if (
    parts[0] !== '' ||
    parts[1]?.toLowerCase() !== 'subscriptions' ||
    parts[3]?.toLowerCase() !== 'resourcegroups' ||
    parts[5]?.toLowerCase() !== 'providers'
  ) {
    return { ok: false, problem: shapeHint };
  }
  const [, , subscriptionId = '', , group = '', , namespace = '', ...rest] = parts;
  if (!guid.test(subscriptionId))
    return { ok: false, problem: `${shapeHint}; the subscription id must be a GUID` };
  if (!resourceGroup.test(group)) {
    return {
      ok: false,
      problem: `${shapeHint}; the resource group name must be 1-90 letters, digits, _ - . ( ) and not end with a period`,
    };
  }
  if (rest.length % 2 !== 0 || rest.some((part) => part === '')) return { ok: false, problem: shapeHint };
  const segments: [string, string][] = [];
  for (let i = 0; i < rest.length; i += 2) segments.push([rest[i] ?? '', rest[i + 1] ?? '']);
  for (const shape of shapes) {
    if (shape.namespace.toLowerCase() !== namespace.toLowerCase()) continue;
    const minimum = shape.types.length - (shape.optionalTail ?? 0);
    if (segments.length < minimum || segments.length > shape.types.length) continue;
    if (!segments.every(([type], i) => type.toLowerCase() === shape.types[i]?.type.toLowerCase())) continue;
    for (const [i, [, name]] of segments.entries()) {
      const rule = shape.types[i];
      if (rule && !rule.name.test(name)) {
        return { ok: false, problem: `names ${shape.label} whose ${rule.type} name ${rule.rule}` };
      }
    }
    const normalized = segments.map(([, name], i) => [shape.types[i]?.type ?? '', name] as const);
    return {
      ok: true,
      shape,
      id: {
        subscriptionId: subscriptionId.toLowerCase(),
        resourceGroup: group,
        namespace: shape.namespace,
        segments: normalized,
        id: `/subscriptions/${subscriptionId.toLowerCase()}/resourceGroups/${group}/providers/${shape.namespace}/${normalized.map(([t, n]) => `${t}/${n}`).join('/')}`,
      },
    };
  }
  return { ok: false, problem: shapeHint };
}

/** A zod schema for an id of one of `shapes`, with a message that says which shape was expected. */
export function resourceIdSchema(shapes: readonly ResourceShape[]) {
  return z.string().superRefine((value, ctx) => {
    const parsed = parseResourceId(value, shapes);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.problem });
  });
}

/** Parses an id the schema already accepted. */
export function requireResourceId(
  value: string,
  shapes: readonly ResourceShape[],
): { id: ResourceId; shape: ResourceShape } {
  const parsed = parseResourceId(value, shapes);
  if (!parsed.ok) throw new Error(`resource id was not validated: ${parsed.problem}`);
  return { id: parsed.id, shape: parsed.shape };
}

/** Name of the resource of `type` in `id`, if the id has one. */
export function nameOf(id: ResourceId, type: string): string | undefined {
  return id.segments.find(([t]) => t.toLowerCase() === type.toLowerCase())?.[1];
}

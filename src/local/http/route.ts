/**
 * Route templates of HTTP triggers (`credentials/{credentialId}/rotate`, `items/{id?}`,
 * `{id:int}`), matched the way the Functions host does: literal segments case-insensitively,
 * parameters as whole segments.
 */
export interface CompiledRoute {
  readonly template: string;
  match(path: string): Record<string, string> | undefined;
}

const PARAM = /^\{([A-Za-z_][A-Za-z0-9_]*)(?::[a-z]+(?:\([^)]*\))?)?(\?)?\}$/;

export function compileRoute(template: string): CompiledRoute {
  const segments = template.split('/').filter((s) => s.length > 0);
  const parts = segments.map((segment) => {
    const param = PARAM.exec(segment);
    return param?.[1] ? { param: param[1], optional: param[2] === '?' } : { literal: segment.toLowerCase() };
  });
  return {
    template,
    match(path: string) {
      const actual = path.split('/').filter((s) => s.length > 0);
      const params: Record<string, string> = {};
      for (let i = 0; i < parts.length; i++) {
        const part = parts[i];
        const value = actual[i];
        if (!part) return undefined;
        if ('literal' in part) {
          if (value?.toLowerCase() !== part.literal) return undefined;
        } else if (value === undefined) {
          if (!part.optional) return undefined;
        } else {
          params[part.param] = decodeURIComponent(value);
        }
      }
      return actual.length <= parts.length ? params : undefined;
    },
  };
}

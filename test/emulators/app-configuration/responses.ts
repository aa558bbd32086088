import type { EmulatorRequest, Reply } from '../shared/http';

export const KV_TYPE = 'application/vnd.microsoft.appconfig.kv+json; charset=utf-8';
export const KVSET_TYPE = 'application/vnd.microsoft.appconfig.kvset+json; charset=utf-8';
export const PROBLEM_TYPE = 'application/problem+json; charset=utf-8';

export function locked(key: string): Reply {
  return {
    status: 409,
    headers: { 'Content-Type': PROBLEM_TYPE },
    body: {
      type: 'https://azconfig.io/errors/key-locked',
      title: `Modifing key '${key}' is not allowed`,
      name: key,
      detail: 'The key is read-only. To allow modification unlock it first.',
      status: 409,
    },
  };
}

/** `application/problem+json` in the service's shape. */
export function problem(status: number, type: string, title: string, name?: string): Reply {
  return {
    status,
    headers: { 'Content-Type': PROBLEM_TYPE },
    body: {
      type: `https://azconfig.io/errors/${type}`,
      title,
      ...(name === undefined ? {} : { name }),
      status,
    },
  };
}

export function notImplemented(request: EmulatorRequest): Reply {
  return problem(
    501,
    'not-implemented',
    `The App Configuration emulator does not implement ${request.method} ${request.rawPath}`,
  );
}

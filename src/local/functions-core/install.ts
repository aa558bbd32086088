import Module from 'node:module';

import { FunctionRegistry } from './registry';

const CORE_MODULE = '@azure/functions-core';

type ModuleLoad = (request: string, parent: unknown, isMain: boolean) => unknown;
const moduleInternals = Module as unknown as { _load: ModuleLoad };

let installed: FunctionRegistry | undefined;

/**
 * Makes `require('@azure/functions-core')` return the local host's core API, as the Functions
 * Node.js worker does in Azure. Must run before the app's first `app.*` registration, because
 * `@azure/functions` looks the module up once and remembers a miss as "test mode".
 */
export function installFunctionsCore(): FunctionRegistry {
  if (installed) return installed;
  const registry = new FunctionRegistry();
  const originalLoad = moduleInternals._load;
  moduleInternals._load = function load(request, parent, isMain) {
    if (request === CORE_MODULE) return registry.coreApi;
    return originalLoad.call(this, request, parent, isMain);
  };
  installed = registry;
  return registry;
}

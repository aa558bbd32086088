// Imported for its effect, before any module that registers functions: from here on,
// `@azure/functions` registers with the local host as it does with the worker in Azure.
import { installFunctionsCore } from './install';

installFunctionsCore();

// Vitest setup file: the local host's core API must be in place before any test module
// imports code that registers functions with @azure/functions.
import { installFunctionsCore } from '../../src/local/functions-core/install';

installFunctionsCore();

import type { KeyturnServices } from '../rotation/services';
import { composeFromEnvironment } from './compose';

let current: Promise<KeyturnServices> | undefined;

/**
 * The process's services. In Azure they are composed from the app settings on first use; the
 * local host and tests install their own with `useServices` before any function runs.
 */
export function getServices(): Promise<KeyturnServices> {
  current ??= composeFromEnvironment(process.env).catch((error: unknown) => {
    // A failed start-up (bad configuration, unreachable vault) is retried on the next call.
    current = undefined;
    throw error;
  });
  return current;
}

export function useServices(services: KeyturnServices): void {
  current = Promise.resolve(services);
}

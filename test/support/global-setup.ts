import type {} from 'vitest';
import type { TestProject } from 'vitest/node';

import { type RunningAzurite, startAzurite } from '../../src/local/azurite';

declare module 'vitest' {
  export interface ProvidedContext {
    azuriteConnectionString: string;
    azuriteTableEndpoint: string;
  }
}

let azurite: RunningAzurite | undefined;

/** One in-memory Azurite for the whole run; each test isolates itself with its own table prefix. */
export async function setup(project: TestProject): Promise<void> {
  azurite = await startAzurite();
  project.provide('azuriteConnectionString', azurite.endpoints.connectionString);
  project.provide('azuriteTableEndpoint', azurite.endpoints.table);
}

export async function teardown(): Promise<void> {
  await azurite?.stop();
}

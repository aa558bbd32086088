import { ApiManagementClient } from '@azure/arm-apimanagement';
import { WebSiteManagementClient } from '@azure/arm-appservice';
import { CognitiveServicesManagementClient } from '@azure/arm-cognitiveservices';
import { StorageManagementClient } from '@azure/arm-storage';
import type { TokenCredential } from '@azure/core-auth';
import type { PipelineRetryOptions, TlsSettings } from '@azure/core-rest-pipeline';

import { EMULATOR_TOKEN, staticTokenCredential } from '../shared/credential';
import { FaultInjector } from '../shared/faults';
import type { EmulatorRequest } from '../shared/http';
import { WriteJournal } from '../shared/journal';
import type { KeyVaultReferenceResolver } from '../shared/references';
import { startEmulatorServer } from '../shared/server';
import { type ArmControl, createArmControl } from './control';
import { ArmFaults } from './faults';
import { armHandler } from './handler';
import { ArmStore, EMULATOR_SUBSCRIPTION_ID } from './store';

export { EMULATOR_TOKEN, staticTokenCredential } from '../shared/credential';
export type { ArmControl } from './control';
export { ArmFaults } from './faults';
export { ARM_API_VERSIONS } from './handler';
export type {
  ApimSubscriptionRef,
  KeyVaultReferenceStatus,
  ResourceRef,
  SeedSite,
  SeedStaticSite,
  SeedWebApp,
  StaticSiteRef,
  WebAppRef,
} from './refs';
export { EMULATOR_SUBSCRIPTION_ID } from './store';

export interface ArmEmulatorOptions {
  /** Bearer tokens ARM accepts (default: the static credential's token). */
  readonly tokens?: readonly string[];
  /** Resolves Key Vault references in app settings, e.g. `keyVault.control.referenceResolver()`. */
  readonly keyVaultReferences?: KeyVaultReferenceResolver;
}

export interface RunningArmEmulator {
  /** The management endpoint (in place of https://management.azure.com). */
  readonly url: string;
  readonly ca: string;
  readonly credential: TokenCredential;
  /** Options that point any of the four management clients at this emulator. */
  readonly clientOptions: ArmClientOptions;
  readonly control: ArmControl;
  stop(): Promise<void>;
}

/** Starts the ARM emulator (App Service, Storage, Cognitive Services, API Management key operations). */
export async function startArmEmulator(options: ArmEmulatorOptions = {}): Promise<RunningArmEmulator> {
  const journal = new WriteJournal();
  const store = new ArmStore(journal, options.keyVaultReferences);
  const injector = new FaultInjector(isWrite);
  const server = await startEmulatorServer({
    faults: injector,
    handler: armHandler({ store, tokens: options.tokens ?? [EMULATOR_TOKEN] }),
  });
  return {
    url: server.url,
    ca: server.ca,
    credential: staticTokenCredential(options.tokens?.[0] ?? EMULATOR_TOKEN),
    clientOptions: armClientOptions(server.url, server.ca),
    control: createArmControl(store, journal, () => server.requests, new ArmFaults(injector, store)),
    stop: () => server.stop(),
  };
}

/**
 * Options accepted by all four management clients: the TypeSpec-generated ones (App Service,
 * Storage) read `endpoint`; the older ones (Cognitive Services, API Management) build URLs from
 * `$host` and derive their token scope from `endpoint` unless `credentialScopes` is set.
 */
export interface ArmClientOptions {
  readonly endpoint: string;
  readonly $host: string;
  readonly credentialScopes: string[];
  readonly tlsOptions: TlsSettings;
  readonly retryOptions: PipelineRetryOptions;
}

/** Trust the emulator's certificate and use short retry delays (same retry count). */
export function armClientOptions(
  url: string,
  ca: string,
  retryOptions: PipelineRetryOptions = {},
): ArmClientOptions {
  return {
    endpoint: url,
    $host: url,
    credentialScopes: ['https://management.azure.com/.default'],
    tlsOptions: { ca },
    retryOptions: { retryDelayInMs: 5, maxRetryDelayInMs: 20, ...retryOptions },
  };
}

export interface ArmClients {
  readonly web: WebSiteManagementClient;
  readonly storage: StorageManagementClient;
  readonly cognitive: CognitiveServicesManagementClient;
  readonly apim: ApiManagementClient;
}

/** The four management clients, wired to the emulator with the static credential. */
export function createArmClients(
  emulator: Pick<RunningArmEmulator, 'url' | 'ca' | 'credential'>,
  subscriptionId: string = EMULATOR_SUBSCRIPTION_ID,
  retryOptions: PipelineRetryOptions = {},
): ArmClients {
  const options = armClientOptions(emulator.url, emulator.ca, retryOptions);
  return {
    web: new WebSiteManagementClient(emulator.credential, subscriptionId, options),
    storage: new StorageManagementClient(emulator.credential, subscriptionId, options),
    cognitive: new CognitiveServicesManagementClient(emulator.credential, subscriptionId, options),
    apim: new ApiManagementClient(emulator.credential, subscriptionId, options),
  };
}

/** Writes are PUT/PATCH/DELETE and POST actions other than list* (listKeys, appsettings/list, ...). */
function isWrite(request: EmulatorRequest): boolean {
  if (request.method === 'POST') {
    const last = request.rawPath.split('/').at(-1)?.toLowerCase() ?? '';
    return !last.startsWith('list');
  }
  return request.method === 'PUT' || request.method === 'PATCH' || request.method === 'DELETE';
}

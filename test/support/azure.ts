import type { PipelinePolicy } from '@azure/core-rest-pipeline';

import { azureClouds } from '../../src/adapters/azure/cloud';
import type { AzureContext } from '../../src/adapters/azure/context';
import type { RunningAppConfigurationEmulator } from '../emulators/app-configuration';
import type { RunningArmEmulator } from '../emulators/arm';
import type { RunningKeyVaultEmulator } from '../emulators/key-vault';
import { staticTokenCredential } from '../emulators/shared/credential';

/** The vault name the Key Vault emulator resolves App Service references for. */
export const EMULATOR_VAULT_URL = 'https://emulator.vault.azure.net';
export const EMULATOR_STORE_URL = 'https://keyturn-emulator.azconfig.io';

export interface Emulators {
  readonly keyVault?: Pick<RunningKeyVaultEmulator, 'url' | 'ca'>;
  readonly appConfiguration?: Pick<RunningAppConfigurationEmulator, 'url' | 'ca'>;
  readonly arm?: Pick<RunningArmEmulator, 'url' | 'ca'>;
}

/**
 * Sends requests for the configured (real-looking) service hosts to the local emulators, so that
 * configuration keeps production-shaped URLs: `https://emulator.vault.azure.net` and
 * `https://keyturn-emulator.azconfig.io`.
 */
function redirectPolicy(routes: ReadonlyMap<string, string>): PipelinePolicy {
  return {
    name: 'testEmulatorRedirect',
    sendRequest(request, next) {
      const url = new URL(request.url);
      const target = routes.get(url.host.toLowerCase());
      if (target !== undefined) {
        const to = new URL(target);
        url.protocol = to.protocol;
        url.host = to.host;
        request.url = url.toString();
      }
      return next(request);
    },
  };
}

/** An Azure context whose clients talk to the given emulators with the static test token. */
export function emulatorAzureContext(emulators: Emulators): AzureContext {
  const routes = new Map<string, string>();
  if (emulators.keyVault) routes.set(new URL(EMULATOR_VAULT_URL).host, emulators.keyVault.url);
  if (emulators.appConfiguration)
    routes.set(new URL(EMULATOR_STORE_URL).host, emulators.appConfiguration.url);
  const cas = [emulators.keyVault?.ca, emulators.appConfiguration?.ca, emulators.arm?.ca].filter(
    (ca): ca is string => ca !== undefined,
  );
  return {
    credential: staticTokenCredential(),
    cloud: {
      ...azureClouds.AzurePublicCloud,
      ...(emulators.arm && { resourceManagerEndpoint: emulators.arm.url }),
    },
    clientOptions: {
      common: {
        tlsOptions: { ca: [...new Set(cas)] },
        retryOptions: { retryDelayInMs: 5, maxRetryDelayInMs: 20 },
        additionalPolicies: [{ policy: redirectPolicy(routes), position: 'perCall' }],
      },
      // The challenge names vault.azure.net while the request goes to 127.0.0.1.
      keyVault: { disableChallengeResourceVerification: true },
    },
  };
}

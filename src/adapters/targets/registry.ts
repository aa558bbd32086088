import { appConfigurationTargetAdapter } from './app-configuration';
import { appServiceSettingsTargetAdapter } from './app-service-settings';
import { fileTargetAdapter } from './file';
import { keyVaultSecretTargetAdapter } from './key-vault-secret';

/** Every target kind keyturn knows. A new target is one folder and one line here. */
export const targetAdapters = {
  file: fileTargetAdapter,
  'key-vault-secret': keyVaultSecretTargetAdapter,
  'app-configuration': appConfigurationTargetAdapter,
  'app-service-settings': appServiceSettingsTargetAdapter,
} as const;

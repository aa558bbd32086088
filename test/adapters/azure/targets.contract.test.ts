import { describeTargetContract } from '../contract';
import {
  appConfigurationFixture,
  appConfigurationReferenceFixture,
  appServiceFixture,
  appServiceReferenceFixture,
  keyVaultSecretFixture,
} from './fixtures';

describeTargetContract('key-vault-secret', keyVaultSecretFixture);
describeTargetContract('app-configuration (plain)', appConfigurationFixture);
describeTargetContract('app-configuration (Key Vault reference)', appConfigurationReferenceFixture);
describeTargetContract('app-service-settings (web app)', () => appServiceFixture('site'));
describeTargetContract('app-service-settings (deployment slot)', () => appServiceFixture('slot'));
describeTargetContract('app-service-settings (static web app)', () => appServiceFixture('static-site'));
describeTargetContract('app-service-settings (Key Vault reference)', appServiceReferenceFixture);

import { z } from 'zod';

import { azureCloudNames } from '../adapters/azure/cloud';
import { parseNcrontab } from './ncrontab';

/** An https URL, or unset; an empty string (a Bicep default) counts as unset. */
const optionalHttpsUrl = z.preprocess(
  (value) => (value === '' ? undefined : value),
  z.url({ protocol: /^https$/, error: 'must be an https URL' }).optional(),
);

/**
 * Every application setting keyturn reads, parsed once at start-up. The same names are used in
 * `local.settings.sample.json`, the Bicep templates and the README's configuration reference.
 */
export const settingsSchema = z.object({
  /**
   * Name of the connection that holds keyturn's tables, following the Functions convention for
   * identity-based connections: either `<name>` is a connection string, or `<name>__tableServiceUri`
   * (plus optional `<name>__clientId`) points at the account and managed identity is used.
   */
  KEYTURN_STORAGE_CONNECTION: z.string().min(1).default('AzureWebJobsStorage'),
  /** Prefix of every keyturn table name; lets several installations share one account. */
  KEYTURN_TABLE_PREFIX: z
    .string()
    .regex(
      /^[A-Za-z][A-Za-z0-9]{0,29}$/,
      'must start with a letter and hold only letters and digits (max 30)',
    )
    .default('keyturn'),
  /** Path of the credentials configuration (YAML or JSON), relative to the app root. */
  KEYTURN_CONFIG_PATH: z.string().min(1).default('keyturn.config.yaml'),
  /** NCRONTAB (six fields, UTC) of the policy scan timer. */
  KEYTURN_SCAN_SCHEDULE: z
    .string()
    .default('0 */15 * * * *')
    .refine(isNcrontab, 'must be an NCRONTAB expression of six fields, such as 0 */15 * * * *'),
  /** Local/standalone: file holding the 256-bit master key (created with mode 0600 when missing). */
  KEYTURN_MASTER_KEY_FILE: z.preprocess((value) => (value === '' ? undefined : value), z.string().optional()),
  /** Azure: vault that holds the master key secret (keyturn's own vault). */
  KEYTURN_MASTER_KEY_VAULT_URL: optionalHttpsUrl,
  /** Azure: name of the master key secret in that vault. */
  KEYTURN_MASTER_KEY_SECRET_NAME: z.string().min(1).default('keyturn-master-key'),
  /**
   * The Azure cloud of keyturn and the resources it manages (its endpoints, DNS suffixes and token
   * audiences). `AzureCloud` is Bicep's `environment().name` for the public cloud.
   */
  KEYTURN_AZURE_CLOUD: z
    .enum([...azureCloudNames, 'AzureCloud'], { error: `must be one of ${azureCloudNames.join(', ')}` })
    .default('AzurePublicCloud')
    .transform((name) => (name === 'AzureCloud' ? 'AzurePublicCloud' : name)),
  /** Overrides the cloud's Microsoft Entra authority host (Bicep: `environment().authentication.loginEndpoint`). */
  KEYTURN_AZURE_AUTHORITY_HOST: optionalHttpsUrl,
  /** Overrides the cloud's Resource Manager endpoint (Bicep: `environment().resourceManager`). */
  KEYTURN_AZURE_RESOURCE_MANAGER_ENDPOINT: optionalHttpsUrl,
});

export type Settings = z.infer<typeof settingsSchema>;

function isNcrontab(expression: string): boolean {
  try {
    parseNcrontab(expression);
    return true;
  } catch {
    return false;
  }
}

/** The settings that say how to reach Azure, for hosts that parse nothing else. */
export const azureSettingsSchema = settingsSchema.pick({
  KEYTURN_AZURE_CLOUD: true,
  KEYTURN_AZURE_AUTHORITY_HOST: true,
  KEYTURN_AZURE_RESOURCE_MANAGER_ENDPOINT: true,
});

import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

import { ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';

import { type AzureContext, azureContextFromSettings } from '../adapters/azure/context';
import { ManagedKeyStore } from '../adapters/issuers/managed/key-store';
import { ManagedKeyVerifier } from '../adapters/issuers/managed/verifier';
import { issuerAdapters } from '../adapters/issuers/registry';
import type { IssuerDependencies } from '../adapters/issuers/types';
import type { AdapterDependencies, Issuer, Target, Validator } from '../adapters/ports';
import { targetAdapters } from '../adapters/targets/registry';
import { validatorAdapters } from '../adapters/validators/registry';
import { loadConfigFile, type LoadedConfig } from '../config/load';
import type { CredentialConfig, IssuerConfig, TargetConfig, ValidatorConfig } from '../config/schema';
import { type Settings, settingsSchema } from '../config/settings';
import { parseOrThrow } from '../config/validate';
import { type Clock, systemClock } from '../core/clock';
import { KeyturnError } from '../core/errors';
import { Keyring } from '../crypto/keyring';
import { FileMasterKey, KeyVaultMasterKey, type MasterKeySource } from '../crypto/master-key';
import { auditSink } from '../rotation/audit-sink';
import { CredentialStore } from '../rotation/credential-store';
import type { KeyturnServices } from '../rotation/services';
import { type AuditLog, TableAuditLog } from '../storage/audit-store';
import {
  createTableProvider,
  type StorageConnection,
  type TableProvider,
  TableRole,
} from '../storage/tables';
import { aadClientIdFrom, appInsightsTelemetry } from '../telemetry/app-insights';
import { createLogger, type Logger, logTelemetry, type Telemetry } from '../telemetry/telemetry';

export interface CompositionInput {
  readonly config: LoadedConfig;
  readonly tables: TableProvider;
  readonly masterKey: Buffer;
  readonly clock: Clock;
  readonly telemetry: Telemetry;
  readonly log: Logger;
  /** The audit log; by default the Table Storage chain in the same account. */
  readonly audit?: AuditLog;
  /** How Azure adapters reach Azure; without it, configuring one fails when it is first used. */
  readonly azure?: AzureContext;
}

/** Wires the services from their parts: the one place where adapters meet the workflow. */
export function composeServices(input: CompositionInput): KeyturnServices {
  const { config, tables, clock } = input;
  const keyring = new Keyring(input.masterKey);
  const managedKeys = new ManagedKeyStore(tables.table(TableRole.ManagedKeys));
  const verifier = new ManagedKeyVerifier(managedKeys, keyring, clock);
  const auditLog = input.audit ?? new TableAuditLog(tables);
  const credentials = new CredentialStore(tables.table(TableRole.Inventory));
  const issuerDeps: IssuerDependencies = {
    clock,
    keyring,
    managedKeys,
    verifier,
    generations: { generations: (credentialId) => credentials.getGenerations(credentialId) },
    ...(input.azure && { azure: input.azure }),
  };

  const issuers = new Map<string, Issuer>();
  const issuerFor = (credential: CredentialConfig): Issuer => {
    let issuer = issuers.get(credential.issuer);
    if (!issuer) {
      const issuerConfig = config.config.issuers[credential.issuer];
      if (!issuerConfig) throw new KeyturnError('internal', `Issuer ${credential.issuer} is not configured.`);
      issuer = createIssuer(issuerConfig, issuerDeps);
      issuers.set(credential.issuer, issuer);
    }
    return issuer;
  };
  const adapterDeps = (credential: CredentialConfig): AdapterDependencies => ({
    baseDir: config.baseDir,
    clock,
    issuer: issuerFor(credential),
    ...(input.azure && { azure: input.azure }),
  });

  const audit = auditSink(auditLog, clock);

  return {
    clock,
    config,
    credentials,
    audit,
    keyring,
    telemetry: input.telemetry,
    log: input.log,
    issuerFor,
    targetsFor: (credential) => credential.targets.map((t) => createTarget(t, adapterDeps(credential))),
    validatorsFor: (credential) =>
      credential.validators.map((v) => createValidator(v, adapterDeps(credential))),
    verifyManagedKey: (presented) => verifier.verify(presented),
    verifyAudit: async () => {
      const report = await auditLog.verify();
      return {
        ok: report.ok,
        checked: report.checked,
        ...(report.firstBadSeq !== undefined && { firstBadSeq: report.firstBadSeq }),
        ...(report.problem !== undefined && { problem: report.problem }),
      };
    },
  };
}

// Each factory is looked up by the kind the schema accepted, so the casts only restate that.
function createIssuer(config: IssuerConfig, deps: IssuerDependencies): Issuer {
  const adapter = issuerAdapters[config.kind] as { create(c: IssuerConfig, d: IssuerDependencies): Issuer };
  return adapter.create(config, deps);
}

function createTarget(config: TargetConfig, deps: AdapterDependencies): Target {
  const adapter = targetAdapters[config.kind] as { create(c: TargetConfig, d: AdapterDependencies): Target };
  return adapter.create(config, deps);
}

function createValidator(config: ValidatorConfig, deps: AdapterDependencies): Validator {
  const adapter = validatorAdapters[config.kind] as {
    create(c: ValidatorConfig, d: AdapterDependencies): Validator;
  };
  return adapter.create(config, deps);
}

/**
 * Resolves the storage connection the Functions way: `<name>` holds a connection string, or
 * `<name>__tableServiceUri` (with `<name>__clientId` for a user-assigned identity) selects
 * identity-based access.
 */
export function storageConnection(
  env: NodeJS.ProcessEnv,
  name: string,
  credential: () => TokenCredential,
): StorageConnection {
  const connectionString = env[name];
  if (connectionString) {
    return { kind: 'connection-string', connectionString };
  }
  const tableServiceUri = env[`${name}__tableServiceUri`];
  const accountName = env[`${name}__accountName`];
  const uri = tableServiceUri ?? (accountName ? `https://${accountName}.table.core.windows.net` : undefined);
  if (!uri) {
    throw new KeyturnError(
      'invalid-input',
      `App setting ${name} (a connection string) or ${name}__tableServiceUri (identity-based) is required.`,
      { retryable: false },
    );
  }
  const clientId = env[`${name}__clientId`];
  return {
    kind: 'identity',
    tableServiceUri: uri,
    credential: clientId ? new ManagedIdentityCredential({ clientId }) : credential(),
  };
}

export function masterKeySource(
  settings: Settings,
  credential: () => TokenCredential,
  appRoot: string,
): MasterKeySource {
  if (settings.KEYTURN_MASTER_KEY_VAULT_URL) {
    return new KeyVaultMasterKey(
      new SecretClient(settings.KEYTURN_MASTER_KEY_VAULT_URL, credential()),
      settings.KEYTURN_MASTER_KEY_SECRET_NAME,
    );
  }
  if (settings.KEYTURN_MASTER_KEY_FILE) {
    const path = settings.KEYTURN_MASTER_KEY_FILE;
    return new FileMasterKey(isAbsolute(path) ? path : resolve(appRoot, path));
  }
  throw new KeyturnError(
    'invalid-input',
    'Set KEYTURN_MASTER_KEY_VAULT_URL (Azure) or KEYTURN_MASTER_KEY_FILE (a host) to say where the master key lives.',
    { retryable: false },
  );
}

/** Composes the services from app settings, as the Functions host provides them in Azure. */
export async function composeFromEnvironment(
  env: NodeJS.ProcessEnv,
  clock: Clock = systemClock,
): Promise<KeyturnServices> {
  const settings = parseOrThrow(settingsSchema, env, 'app settings');
  const appRoot = env['AzureWebJobsScriptRoot'] ?? packageRoot(__dirname);
  // One credential for every Azure call: the managed identity in Azure, cloud-aware.
  const azure = azureContextFromSettings(settings, env);
  const credential = (): TokenCredential => azure.credential;
  const tables = createTableProvider(
    storageConnection(env, settings.KEYTURN_STORAGE_CONNECTION, credential),
    settings.KEYTURN_TABLE_PREFIX,
  );
  const log = createLogger(consoleSink);
  const connectionString = env['APPLICATIONINSIGHTS_CONNECTION_STRING'];
  const aadClientId = aadClientIdFrom(env['APPLICATIONINSIGHTS_AUTHENTICATION_STRING']);
  const telemetry = connectionString
    ? appInsightsTelemetry(
        connectionString,
        aadClientId === undefined
          ? undefined
          : new ManagedIdentityCredential(aadClientId ? { clientId: aadClientId } : {}),
      )
    : logTelemetry(log);
  const config = loadConfigFile(resolve(appRoot, settings.KEYTURN_CONFIG_PATH));
  const [masterKey] = await Promise.all([
    masterKeySource(settings, credential, appRoot).load(),
    tables.ensureTables(),
  ]);
  return composeServices({ config, tables, masterKey, clock, telemetry, log, azure });
}

/**
 * The app's root: where the Functions host says it is, else the folder of the nearest package.json
 * (the compiled code runs from dist/, the tests from src/, and the working directory is anything).
 */
function packageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return process.cwd();
  }
}

/* eslint-disable no-console -- in Azure the log sink is the console, which the worker forwards */
function consoleSink(level: 'info' | 'warn' | 'error', message: string, fields: object): void {
  const line = JSON.stringify({ level, message, ...fields });
  // The Functions worker forwards console output to the host's logs (and Application Insights).
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.info(line);
}
/* eslint-enable no-console */

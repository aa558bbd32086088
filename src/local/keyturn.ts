import './functions-core/register';
import '../app/function-app';

import { TableClient } from '@azure/data-tables';

import { type AzureContext, azureContextFromSettings } from '../adapters/azure/context';
import { composeServices } from '../app/compose';
import { useServices } from '../app/services';
import type { LoadedConfig } from '../config/load';
import { azureSettingsSchema } from '../config/settings';
import { parseOrThrow } from '../config/validate';
import type { Clock } from '../core/clock';
import type { KeyturnServices } from '../rotation/services';
import { type AuditLog, TableAuditLog } from '../storage/audit-store';
import { createTableProvider, type TableProvider } from '../storage/tables';
import { createLogger, type LogSink, logTelemetry } from '../telemetry/telemetry';
import { TableTaskHubStore, type TaskHubStore } from './durable/store';
import { installFunctionsCore } from './functions-core/install';
import type { HostLogEntry } from './host';
import { LocalHost } from './host';
import type { HostKeys } from './http/keys';

export interface LocalKeyturnOptions {
  /** Connection string of the storage account (Azurite locally). */
  readonly connectionString: string;
  readonly tablePrefix: string;
  readonly config: LoadedConfig;
  readonly masterKey: Buffer;
  readonly clock: Clock;
  readonly keys: HostKeys;
  /** App settings the functions' bindings refer to (`%KEYTURN_SCAN_SCHEDULE%`). */
  readonly appSettings: Readonly<Record<string, string | undefined>>;
  readonly http?: { readonly port: number };
  readonly log: LogSink;
  readonly hostLog: (entry: HostLogEntry) => void;
  /** Replaces the task hub store (tests wrap it to inject crashes). */
  readonly taskHub?: (store: TaskHubStore) => TaskHubStore;
  /** Wraps the audit log (tests make it unavailable or crash it). */
  readonly audit?: (log: AuditLog) => AuditLog;
  /** How Azure adapters reach Azure; by default the cloud in `appSettings` with developer credentials. */
  readonly azure?: AzureContext;
}

export interface LocalKeyturn {
  readonly host: LocalHost;
  readonly services: KeyturnServices;
  readonly tables: TableProvider;
  stop(): Promise<void>;
}

/**
 * keyturn on one machine: the same function app as in Azure, run by the local host over Table
 * Storage (Azurite), with services composed from local parts (a key file, the log for telemetry).
 */
export async function startLocalKeyturn(options: LocalKeyturnOptions): Promise<LocalKeyturn> {
  const registry = installFunctionsCore();

  const tables = createTableProvider(
    { kind: 'connection-string', connectionString: options.connectionString },
    options.tablePrefix,
  );
  await tables.ensureTables();
  const log = createLogger(options.log);
  const services = composeServices({
    config: options.config,
    tables,
    masterKey: options.masterKey,
    clock: options.clock,
    telemetry: logTelemetry(log),
    log,
    ...(options.audit && { audit: options.audit(new TableAuditLog(tables)) }),
    azure:
      options.azure ??
      azureContextFromSettings(
        parseOrThrow(azureSettingsSchema, options.appSettings, 'app settings'),
        process.env,
      ),
  });
  useServices(services);

  const table = (suffix: string): TableClient =>
    TableClient.fromConnectionString(options.connectionString, `${options.tablePrefix}${suffix}`, {
      allowInsecureConnection: true,
    });
  const hubTable = table('TaskHub');
  await hubTable.createTable();
  const baseStore = new TableTaskHubStore(hubTable);
  const host = await LocalHost.start({
    registry,
    taskHubName: `${options.tablePrefix}hub`,
    taskHub: options.taskHub ? options.taskHub(baseStore) : baseStore,
    timerStatus: table('Timers'),
    clock: options.clock,
    appSettings: options.appSettings,
    keys: options.keys,
    ...(options.http && { http: options.http }),
    log: options.hostLog,
  });
  return {
    host,
    services,
    tables,
    stop: async () => {
      await host.stop();
      await services.telemetry.flush();
    },
  };
}

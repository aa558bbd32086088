/* eslint-disable no-console -- this is the terminal front end of `npm start` */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

import { loadConfigFile } from '../config/load';
import { systemClock } from '../core/clock';
import { messageOf } from '../core/errors';
import { FileMasterKey } from '../crypto/master-key';
import type { Dimensions, LogLevel } from '../telemetry/telemetry';
import { startAzurite } from './azurite';
import { startDemoApi } from './demo-api';
import { demoConfig } from './demo-config';
import type { HostLogEntry } from './host';
import { loadOrCreateHostKeys } from './http/keys';
import { startLocalKeyturn } from './keyturn';

const DEMO_CREDENTIAL = 'demo-api-key';

/**
 * `npm start`: Azurite, the local host with the HTTP API on 127.0.0.1, and the embedded demo (a
 * managed-issuer key written to a .env file and validated by a small demo API). One rotation runs
 * at once; then the policy scan keeps rotating on its timer until Ctrl-C.
 */
async function main(): Promise<void> {
  const env = process.env;
  const dataDir = resolve(env['KEYTURN_DATA_DIR'] ?? '.keyturn');
  const port = Number(env['KEYTURN_PORT'] ?? 7071);
  const scanSchedule = env['KEYTURN_SCAN_SCHEDULE'] ?? '*/30 * * * * *';

  say(`keyturn: local host, data in ${dataDir}`);
  const azurite = await startAzurite({ location: resolve(dataDir, 'azurite') });
  say(`Azurite tables at ${azurite.endpoints.table}`);

  const keys = loadOrCreateHostKeys(resolve(dataDir, 'host-keys.json'));
  const functionKey = keys.functionKeys['default'] ?? keys.masterKey;
  let baseUrl = `http://127.0.0.1:${port}`;
  const demoApi = await startDemoApi(() => ({ url: `${baseUrl}/api/keys/verify`, functionKey }));
  const configPath = env['KEYTURN_CONFIG_PATH'];
  if (!configPath) mkdirSync(resolve(dataDir, 'demo'), { recursive: true, mode: 0o700 });
  const config = configPath ? loadConfigFile(configPath) : demoConfig(dataDir, demoApi.url);
  say(`configuration: ${config.source} (${config.config.credentials.length} credential(s))`);

  const keyturn = await startLocalKeyturn({
    connectionString: azurite.endpoints.connectionString,
    tablePrefix: env['KEYTURN_TABLE_PREFIX'] ?? 'keyturn',
    config,
    masterKey: await new FileMasterKey(resolve(dataDir, 'master.key')).load(),
    clock: systemClock,
    keys,
    appSettings: { ...env, KEYTURN_SCAN_SCHEDULE: scanSchedule },
    http: { port },
    log: printLog,
    hostLog: printHostLog,
  });
  baseUrl = keyturn.host.baseUrl;
  keyturn.host.runInBackground();
  say(`HTTP API at ${baseUrl}/api (function key in ${resolve(dataDir, 'host-keys.json')})`);

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    say('stopping…');
    await keyturn.stop();
    await demoApi.close();
    await azurite.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());

  if (!configPath) {
    say(
      `demo API at ${demoApi.url}/hello (send the key from ${resolve(dataDir, 'demo', 'consumer.env')} as x-api-key)`,
    );
    await firstRotation(baseUrl, functionKey);
  }
  say(`policy scan runs on "${scanSchedule}" (UTC); Ctrl-C to stop`);
}

/** Requests one rotation of the demo credential through the API and follows it to its end. */
async function firstRotation(baseUrl: string, functionKey: string): Promise<void> {
  const headers = { 'content-type': 'application/json', 'x-functions-key': functionKey };
  const response = await fetch(`${baseUrl}/api/credentials/${DEMO_CREDENTIAL}/rotate`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ reason: 'first rotation on start', requestedBy: 'npm start' }),
  });
  const body = (await response.json()) as { rotationId?: string; error?: { message: string } };
  if (!body.rotationId) {
    say(`rotation not started: ${body.error?.message ?? String(response.status)}`);
    return;
  }
  say(`rotation ${body.rotationId} ${response.status === 202 ? 'started' : 'already in flight'}`);
  for (;;) {
    await new Promise((r) => setTimeout(r, 500));
    const status = (await (
      await fetch(`${baseUrl}/api/rotations/${body.rotationId}`, { headers })
    ).json()) as {
      status?: string;
      step?: string;
      error?: string | null;
    };
    if (status.status === 'running' && status.step === 'promoted') break;
    if (status.status && !['running', 'pending'].includes(status.status)) break;
  }
  const credential = (await (
    await fetch(`${baseUrl}/api/credentials/${DEMO_CREDENTIAL}`, { headers })
  ).json()) as {
    current: { generation: number; fingerprint: string } | null;
    previous: { generation: number; fingerprint: string } | null;
    rotations: { rotationId: string; status: string; error: string | null }[];
  };
  const rotation = credential.rotations.find((r) => r.rotationId === body.rotationId);
  if (rotation?.status === 'failed') {
    say(`rotation ${body.rotationId} failed and was compensated: ${rotation.error ?? 'unknown error'}`);
    return;
  }
  if (credential.current) {
    say(
      `current key: generation ${credential.current.generation}, fingerprint ${credential.current.fingerprint}`,
    );
  }
  if (credential.previous) {
    say(
      `previous key: generation ${credential.previous.generation}, fingerprint ${credential.previous.fingerprint} (valid until its grace period ends)`,
    );
  }
}

function say(message: string): void {
  console.log(`${new Date().toISOString().slice(11, 19)} ${message}`);
}

function printLog(level: LogLevel, message: string, fields: Dimensions): void {
  // Telemetry goes to Application Insights in Azure; on a terminal only the outcome is worth a line.
  if (message.startsWith('telemetry ')) {
    if (message === 'telemetry keyturn.rotation.finished' && fields['outcome'] !== 'completed') {
      say(
        `rotation ${String(fields['rotationId'])} ${String(fields['outcome'])}: ${String(fields['reason'] ?? '')}`,
      );
    }
    return;
  }
  const details = Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(' ');
  const line = `${level === 'info' ? '' : `${level.toUpperCase()} `}${message}${details ? ` ${details}` : ''}`;
  say(line);
}

function printHostLog(entry: HostLogEntry): void {
  if (entry.level === 'warning' || entry.level === 'error' || entry.level === 'critical') {
    say(`${entry.level.toUpperCase()} ${entry.functionName}: ${entry.message}`);
  }
}

main().catch((error: unknown) => {
  console.error(`keyturn failed to start: ${messageOf(error)}`);
  process.exit(1);
});

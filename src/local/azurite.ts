import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createInterface } from 'node:readline';

/** Azurite's published development account (documented, not a secret). */
export const DEV_ACCOUNT_NAME = 'devstoreaccount1';
export const DEV_ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteEndpoints {
  readonly blob: string;
  readonly queue: string;
  readonly table: string;
  /** A full connection string for the development account on these endpoints. */
  readonly connectionString: string;
}

export interface AzuriteOptions {
  /** Workspace folder; omitted means in-memory storage that vanishes with the process. */
  readonly location?: string;
  /** Fixed ports; 0 (the default) lets the OS choose free ones. */
  readonly ports?: { blob?: number; queue?: number; table?: number };
  readonly startTimeoutMs?: number;
}

export interface RunningAzurite {
  readonly endpoints: AzuriteEndpoints;
  stop(): Promise<void>;
}

const LISTENING = /Azurite (Blob|Queue|Table) service is successfully listening at (http:\/\/\S+)/;

/**
 * Starts the Azurite package that ships in node_modules as a child process bound to 127.0.0.1 and
 * resolves once all three services listen. Ports are read from Azurite's own start-up lines, so
 * port 0 can be used to avoid collisions between parallel runs.
 */
export async function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  const entry = require.resolve('azurite/dist/src/azurite.js');
  const args = [
    entry,
    '--blobHost',
    '127.0.0.1',
    '--queueHost',
    '127.0.0.1',
    '--tableHost',
    '127.0.0.1',
    '--blobPort',
    String(options.ports?.blob ?? 0),
    '--queuePort',
    String(options.ports?.queue ?? 0),
    '--tablePort',
    String(options.ports?.table ?? 0),
    '--disableTelemetry',
    // Clients keep idle connections open; a server that closes them after Azurite's default 5 s
    // races the next request on the same socket (EPIPE, which the SDKs do not retry).
    '--blobKeepAliveTimeout',
    '3600',
    '--queueKeepAliveTimeout',
    '3600',
    '--tableKeepAliveTimeout',
    '3600',
    // The SDKs we ship may speak a newer service version than this Azurite release knows.
    '--skipApiVersionCheck',
  ];
  if (options.location) {
    mkdirSync(options.location, { recursive: true });
    args.push('--location', options.location);
  } else {
    args.push('--inMemoryPersistence');
  }

  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const found: Partial<Record<'Blob' | 'Queue' | 'Table', string>> = {};
  const output: string[] = [];

  const endpoints = await new Promise<AzuriteEndpoints>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `Azurite did not start within ${options.startTimeoutMs ?? 30_000} ms:\n${output.join('\n')}`,
        ),
      );
    }, options.startTimeoutMs ?? 30_000);
    const onLine = (line: string): void => {
      output.push(line);
      const match = LISTENING.exec(line);
      if (match?.[1] && match[2]) {
        found[match[1] as keyof typeof found] = match[2];
        if (found.Blob && found.Queue && found.Table) {
          clearTimeout(timer);
          resolve(toEndpoints(found.Blob, found.Queue, found.Table));
        }
      }
    };
    createInterface({ input: child.stdout }).on('line', onLine);
    createInterface({ input: child.stderr }).on('line', (line) => output.push(line));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Azurite exited with code ${String(code)} before listening:\n${output.join('\n')}`));
    });
  });

  return { endpoints, stop: () => stopChild(child) };
}

function toEndpoints(blob: string, queue: string, table: string): AzuriteEndpoints {
  const account = (base: string): string => `${base}/${DEV_ACCOUNT_NAME}`;
  return {
    blob: account(blob),
    queue: account(queue),
    table: account(table),
    connectionString: [
      'DefaultEndpointsProtocol=http',
      `AccountName=${DEV_ACCOUNT_NAME}`,
      `AccountKey=${DEV_ACCOUNT_KEY}`,
      `BlobEndpoint=${account(blob)}`,
      `QueueEndpoint=${account(queue)}`,
      `TableEndpoint=${account(table)}`,
    ].join(';'),
  };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

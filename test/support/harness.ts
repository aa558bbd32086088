import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { AzureContext } from '../../src/adapters/azure/context';
import { loadConfig, type LoadedConfig } from '../../src/config/load';
import { type DemoApi, startDemoApi } from '../../src/local/demo-api';
import type { TaskHubStore } from '../../src/local/durable/store';
import { generateHostKeys, type HostKeys } from '../../src/local/http/keys';
import { type LocalKeyturn, startLocalKeyturn } from '../../src/local/keyturn';
import type { AuditLog } from '../../src/storage/audit-store';
import { ManualClock } from './clock';
import { expectNoKeyIn } from './leaks';
import { azuriteConnectionString, uniqueTableName } from './tables';

export interface HarnessOptions {
  /** The configuration document; gets the temp dir and the demo API URL. */
  readonly document?: (dir: string, demoApiUrl: string) => unknown;
  readonly taskHub?: (store: TaskHubStore) => TaskHubStore;
  readonly audit?: (log: AuditLog) => AuditLog;
  /** How Azure adapters reach Azure: the wire emulators, in tests (see ./azure.ts). */
  readonly azure?: AzureContext;
}

/** Everything a test of the whole workflow needs, on Azurite, with time under the test's control. */
export class Harness {
  readonly clock = new ManualClock('2026-01-05T10:00:00.000Z');
  readonly dir = mkdtempSync(join(tmpdir(), 'keyturn-test-'));
  readonly keys: HostKeys = generateHostKeys();
  readonly masterKey = randomBytes(32);
  readonly tablePrefix = uniqueTableName('kt');
  /** Every line logged by the services and the host, for leak assertions. */
  readonly logs: string[] = [];
  /** Every API response body the test received, for leak assertions. */
  readonly responses: string[] = [];
  /** Every key value seen in a target after a drain: what must never show up anywhere else. */
  readonly seenKeys = new Set<string>();
  config!: LoadedConfig;
  keyturn!: LocalKeyturn;
  #demoApi!: DemoApi;
  #options: HarnessOptions = {};

  static async start(options: HarnessOptions = {}): Promise<Harness> {
    const harness = new Harness();
    harness.#options = options;
    harness.#demoApi = await startDemoApi(() => ({
      url: `${harness.keyturn.host.baseUrl}/api/keys/verify`,
      functionKey: harness.functionKey,
    }));
    harness.config = loadConfig(
      (options.document ?? defaultDocument)(harness.dir, harness.#demoApi.url),
      harness.dir,
      'test configuration',
    );
    await harness.#startHost();
    return harness;
  }

  get functionKey(): string {
    return this.keys.functionKeys['default'] ?? '';
  }

  get services() {
    return this.keyturn.services;
  }

  /** Stops the host as a crash would leave it (nothing flushed) and starts a new one on the same state. */
  async restart(options: Pick<HarnessOptions, 'taskHub' | 'audit'> = {}): Promise<void> {
    await this.keyturn.host.stop();
    this.#options = { ...this.#options, ...options };
    await this.#startHost();
  }

  async drain(): Promise<number> {
    const steps = await this.keyturn.host.drain();
    await this.noteKeys();
    return steps;
  }

  /** Records the keys the targets hold now (the suite checks at stop that none leaked). */
  async noteKeys(): Promise<void> {
    for (const credential of this.config.config.credentials) {
      for (const target of this.services.targetsFor(credential)) {
        try {
          const held = await target.read();
          if (held.state === 'present') this.seenKeys.add(held.value.reveal());
        } catch {
          // A target the test made unreachable holds nothing it can show.
        }
      }
    }
  }

  async api(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${this.keyturn.host.baseUrl}/api${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-functions-key': this.functionKey },
      ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    this.responses.push(text);
    return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  }

  /** Stops everything; fails the test if any key it saw appears in a log line or an API response. */
  async stop(): Promise<void> {
    await this.noteKeys();
    await this.keyturn.stop();
    await this.#demoApi.close();
    rmSync(this.dir, { recursive: true, force: true });
    expectNoKeyIn(this.logs, [...this.seenKeys], 'the logs', { allowNone: true });
    expectNoKeyIn(this.responses, [...this.seenKeys], 'API responses', { allowNone: true });
  }

  async #startHost(): Promise<void> {
    this.keyturn = await startLocalKeyturn({
      connectionString: azuriteConnectionString(),
      tablePrefix: this.tablePrefix,
      config: this.config,
      masterKey: this.masterKey,
      clock: this.clock,
      keys: this.keys,
      appSettings: { KEYTURN_SCAN_SCHEDULE: '0 */5 * * * *' },
      http: { port: 0 },
      log: (level, message, fields) => this.logs.push(JSON.stringify({ level, message, fields })),
      hostLog: (entry) => this.logs.push(JSON.stringify(entry)),
      ...(this.#options.taskHub && { taskHub: this.#options.taskHub }),
      ...(this.#options.audit && { audit: this.#options.audit }),
      ...(this.#options.azure && { azure: this.#options.azure }),
    });
  }
}

export const CREDENTIAL = 'orders-api-key';

/** One managed-issuer credential with a .env and a JSON target, validated through the demo API. */
export function defaultDocument(dir: string, demoApiUrl: string) {
  return {
    version: 1,
    policies: {
      standard: { maxAge: 'P30D', renewBefore: 'P7D', grace: 'PT12H', notice: 'P3D', overdueAfter: 'P1D' },
    },
    issuers: { orders: { kind: 'managed', prefix: 'kord' } },
    credentials: [
      {
        id: CREDENTIAL,
        owner: 'orders-team@example.com',
        application: 'orders-client',
        environment: 'test',
        issuer: 'orders',
        policy: 'standard',
        targets: [
          { kind: 'file', path: join(dir, 'client.env'), key: 'ORDERS_API_KEY' },
          { kind: 'file', path: join(dir, 'appsettings.json'), key: '/Orders/ApiKey' },
        ],
        validators: [{ kind: 'issuer' }, { kind: 'http', url: `${demoApiUrl}/hello` }],
      },
    ],
  };
}

import { randomBytes } from 'node:crypto';

import { AppConfigurationClient, type AppConfigurationClientOptions } from '@azure/app-configuration';
import type { TokenCredential } from '@azure/core-auth';

import { EMULATOR_TOKEN, staticTokenCredential } from '../shared/credential';
import {
  FaultControls,
  type FaultHandle,
  FaultInjector,
  type FaultScope,
  retryHeaders,
} from '../shared/faults';
import type { EmulatorRequest } from '../shared/http';
import { WriteJournal, type WriteRecord } from '../shared/journal';
import { type RequestRecord, startEmulatorServer } from '../shared/server';
import { appConfigurationHandler } from './handler';
import { problem } from './responses';
import { KeyValueStore, resourceName } from './store';

export { EMULATOR_TOKEN, staticTokenCredential } from '../shared/credential';
export { APP_CONFIGURATION_API_VERSIONS } from './handler';

export interface AppConfigurationEmulatorOptions {
  /** Bearer tokens the store accepts (default: the static credential's token). */
  readonly tokens?: readonly string[];
  /** Items per page of `GET /kv` (the service uses 100; lower it to exercise paging). */
  readonly pageSize?: number;
  readonly now?: () => Date;
}

export interface KeyValueSnapshot {
  readonly key: string;
  readonly label: string | null;
  readonly value: string | null;
  readonly contentType: string | null;
  readonly tags: Readonly<Record<string, string>>;
  readonly locked: boolean;
  readonly etag: string;
  readonly lastModified: Date;
}

export interface SeedKeyValue {
  readonly key: string;
  readonly label?: string | null;
  readonly value: string | null;
  readonly contentType?: string | null;
  readonly tags?: Record<string, string>;
  readonly locked?: boolean;
}

/** App Configuration faults, plus a concurrent writer that makes a stale If-Match fail. */
export class AppConfigurationFaults extends FaultControls {
  constructor(
    injector: FaultInjector,
    private readonly store: KeyValueStore,
  ) {
    super(injector, {
      // The service's throttling shape (REST reference "Throttling"): retry-after-ms, problem+json.
      throttled: (options) => ({
        status: 429,
        headers: {
          'Content-Type': 'application/problem+json; charset=utf-8',
          ...retryHeaders({
            retryAfterMs: options.retryAfterMs ?? 0,
            retryAfterSeconds: options.retryAfterSeconds,
          }),
        },
        body: {
          type: 'https://azconfig.io/errors/too-many-requests',
          title: 'Resource utilization has surpassed the assigned quota',
          policy: 'Total Requests',
          status: 429,
        },
      }),
      serverError: (status, options) => ({
        ...problem(status, 'internal-server-error', 'Injected server error.'),
        headers: {
          'Content-Type': 'application/problem+json; charset=utf-8',
          ...(status === 503 || options.retryAfterMs !== undefined
            ? retryHeaders({
                retryAfterMs: options.retryAfterMs ?? 0,
                retryAfterSeconds: options.retryAfterSeconds,
              })
            : {}),
        },
      }),
    });
  }

  /**
   * Another writer replaces (key, label) just before the client's next write to that key, so the
   * client's If-Match carries a stale ETag. `value` defaults to the current value (a new ETag only).
   */
  concurrentChange(
    target: { key: string; label?: string | null; value?: string },
    scope: FaultScope = {},
  ): FaultHandle {
    const label = target.label ?? null;
    return this.interleave(
      () => {
        const current = this.store.get(target.key, label);
        this.store.put(
          target.key,
          label,
          {
            value: target.value ?? current?.value ?? null,
            contentType: current?.contentType ?? null,
            tags: current?.tags ?? {},
          },
          'control',
        );
      },
      {
        match: scope.match ?? { writes: true, path: new RegExp(`^/(kv|locks)/${escapeRegExp(target.key)}$`) },
        times: scope.times ?? 1,
      },
    );
  }
}

export interface AppConfigurationControl {
  seed(keyValue: SeedKeyValue): KeyValueSnapshot;
  keyValue(key: string, label?: string | null): KeyValueSnapshot | undefined;
  all(): KeyValueSnapshot[];
  /** Client writes (put, delete, lock, unlock), all or for one (key, label). */
  writes(target?: { key: string; label?: string | null }): WriteRecord[];
  requests(): readonly RequestRecord[];
  readonly faults: AppConfigurationFaults;
}

export interface RunningAppConfigurationEmulator {
  /** The store endpoint to give `AppConfigurationClient` with a token credential. */
  readonly url: string;
  readonly ca: string;
  /** `Endpoint=...;Id=...;Secret=...` for HMAC authentication. */
  readonly connectionString: string;
  readonly credential: TokenCredential;
  /** Options that make an `AppConfigurationClient` talk to this emulator. */
  readonly clientOptions: AppConfigurationClientOptions;
  readonly control: AppConfigurationControl;
  stop(): Promise<void>;
}

/** Starts an App Configuration data-plane emulator on 127.0.0.1 (HTTPS, free port). */
export async function startAppConfigurationEmulator(
  options: AppConfigurationEmulatorOptions = {},
): Promise<RunningAppConfigurationEmulator> {
  const journal = new WriteJournal();
  const store = new KeyValueStore(journal, options.now ?? (() => new Date()));
  const injector = new FaultInjector(isWrite);
  const hmacId = 'emulator-hmac';
  const hmacSecret = randomBytes(32).toString('base64');
  const server = await startEmulatorServer({
    faults: injector,
    handler: appConfigurationHandler({
      store,
      tokens: options.tokens ?? [EMULATOR_TOKEN],
      hmac: new Map([[hmacId, hmacSecret]]),
      pageSize: options.pageSize ?? 100,
    }),
  });

  const control: AppConfigurationControl = {
    seed(seed) {
      const label = seed.label ?? null;
      const stored = store.put(
        seed.key,
        label,
        { value: seed.value, contentType: seed.contentType ?? null, tags: seed.tags ?? {} },
        'control',
      );
      return snapshot(seed.locked ? store.setLocked(stored, true, 'control') : stored);
    },
    keyValue(key, label = null) {
      const kv = store.get(key, label);
      return kv && snapshot(kv);
    },
    all: () => store.all().map(snapshot),
    writes: (target) =>
      journal.clientWrites(target === undefined ? undefined : resourceName(target.key, target.label ?? null)),
    requests: () => [...server.requests],
    faults: new AppConfigurationFaults(injector, store),
  };

  return {
    url: server.url,
    ca: server.ca,
    connectionString: `Endpoint=${server.url};Id=${hmacId};Secret=${hmacSecret}`,
    credential: staticTokenCredential(options.tokens?.[0] ?? EMULATOR_TOKEN),
    clientOptions: appConfigurationClientOptions(server.ca),
    control,
    stop: () => server.stop(),
  };
}

/** Client options: trust the emulator's certificate; shorter retry delays (same retry count). */
export function appConfigurationClientOptions(
  ca: string,
  overrides: AppConfigurationClientOptions = {},
): AppConfigurationClientOptions {
  return {
    retryOptions: { retryDelayInMs: 5, maxRetryDelayInMs: 20 },
    ...overrides,
    tlsOptions: { ca, ...overrides.tlsOptions },
  };
}

/** An `AppConfigurationClient` on the emulator, authenticated by bearer token (default) or HMAC. */
export function createAppConfigurationClient(
  emulator: Pick<RunningAppConfigurationEmulator, 'url' | 'ca' | 'credential' | 'connectionString'>,
  auth: 'token' | 'hmac' = 'token',
  overrides: AppConfigurationClientOptions = {},
): AppConfigurationClient {
  const clientOptions = appConfigurationClientOptions(emulator.ca, overrides);
  return auth === 'hmac'
    ? new AppConfigurationClient(emulator.connectionString, clientOptions)
    : new AppConfigurationClient(emulator.url, emulator.credential, clientOptions);
}

function isWrite(request: EmulatorRequest): boolean {
  return request.method === 'PUT' || request.method === 'DELETE';
}

function snapshot(kv: {
  key: string;
  label: string | null;
  value: string | null;
  contentType: string | null;
  tags: Record<string, string>;
  locked: boolean;
  etag: string;
  lastModified: Date;
}): KeyValueSnapshot {
  return {
    key: kv.key,
    label: kv.label,
    value: kv.value,
    contentType: kv.contentType,
    tags: { ...kv.tags },
    locked: kv.locked,
    etag: kv.etag,
    lastModified: kv.lastModified,
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

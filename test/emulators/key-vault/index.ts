import type { TokenCredential } from '@azure/core-auth';
import { SecretClient, type SecretClientOptions } from '@azure/keyvault-secrets';

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
import type { KeyVaultReferenceResolver } from '../shared/references';
import { type RequestRecord, startEmulatorServer } from '../shared/server';
import { keyVaultHandler } from './handler';
import { error } from './shapes';
import { latest, type SecretState, SecretStore } from './store';

export { EMULATOR_TOKEN, staticTokenCredential } from '../shared/credential';
export { KEY_VAULT_API_VERSIONS } from './handler';

export interface KeyVaultEmulatorOptions {
  /** Bearer tokens the vault accepts (default: the static credential's token). */
  readonly tokens?: readonly string[];
  /** Tenant named in the `WWW-Authenticate` challenge. */
  readonly tenantId?: string;
  /** Soft-delete retention in days (default 90). */
  readonly recoverableDays?: number;
  /** Clock for created/updated/deleted times (default: the system clock). */
  readonly now?: () => Date;
  /** The vault name that Key Vault references must use to resolve here (default `emulator`). */
  readonly vaultName?: string;
}

export interface SeedSecretOptions {
  readonly contentType?: string;
  readonly tags?: Record<string, string>;
  readonly enabled?: boolean;
  readonly notBefore?: Date;
  readonly expiresOn?: Date;
}

export interface SecretVersionSnapshot {
  readonly version: string;
  readonly value: string;
  readonly enabled: boolean;
  readonly contentType?: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly notBefore?: Date;
  readonly expiresOn?: Date;
  readonly createdOn: Date;
  readonly updatedOn: Date;
}

export interface SecretSnapshot {
  readonly name: string;
  /** In creation order; the last one is what "get latest" returns. */
  readonly versions: readonly SecretVersionSnapshot[];
}

export interface DeletedSecretSnapshot extends SecretSnapshot {
  readonly deletedOn: Date;
  readonly scheduledPurgeDate: Date;
}

/** Key Vault faults, plus a concurrent writer. */
export class KeyVaultFaults extends FaultControls {
  constructor(
    injector: FaultInjector,
    private readonly store: SecretStore,
  ) {
    super(injector, {
      throttled: (options) => ({
        ...error(
          429,
          'Throttled',
          'Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached',
        ),
        headers: retryHeaders(options),
      }),
      serverError: (status, options) => ({
        ...error(
          status,
          status === 503 ? 'ServiceUnavailable' : 'InternalServerError',
          'Injected server error.',
        ),
        headers: options.retryAfterSeconds === undefined ? {} : retryHeaders(options),
      }),
    });
  }

  /** Another writer adds a version of `name` just before the client's next write to that secret. */
  concurrentNewVersion(name: string, value: string, scope: FaultScope = {}): FaultHandle {
    return this.interleave(
      () => {
        this.store.set(name, { value }, 'control');
      },
      { match: scope.match ?? { writes: true, path: `/secrets/${name}` }, times: scope.times ?? 1 },
    );
  }
}

export interface KeyVaultControl {
  /** Adds a version directly (not counted as a client write). */
  seedSecret(name: string, value: string, options?: SeedSecretOptions): { version: string; id: string };
  /** The live secret with every version and value, or undefined. */
  secret(name: string): SecretSnapshot | undefined;
  /** The soft-deleted secret, or undefined. */
  deletedSecret(name: string): DeletedSecretSnapshot | undefined;
  /** Client writes (set, update, delete, recover, purge); resources are named `secrets/<name>`. */
  writes(name?: string): WriteRecord[];
  /** Every request received, in order, with its outcome. */
  requests(): readonly RequestRecord[];
  /**
   * Eventual consistency as the recordings show it: after a delete, the next `afterDelete` reads of
   * the deleted secret answer 404; after a recover, the next `afterRecover` reads of the secret answer
   * 404 and sets answer 409 ObjectIsBeingRecovered. Default 0 (immediately consistent).
   */
  setReplicationLag(lag: { afterDelete?: number; afterRecover?: number }): void;
  readonly faults: KeyVaultFaults;
  /** Resolves App Service Key Vault references against this vault (for the ARM emulator). */
  referenceResolver(): KeyVaultReferenceResolver;
}

export interface RunningKeyVaultEmulator {
  /** The vault URL to give `SecretClient`. */
  readonly url: string;
  /** PEM certificate of the emulator (already in `clientOptions.tlsOptions.ca`). */
  readonly ca: string;
  readonly credential: TokenCredential;
  /** Options that make a `SecretClient` talk to this emulator. */
  readonly clientOptions: SecretClientOptions;
  readonly control: KeyVaultControl;
  stop(): Promise<void>;
}

/** Starts a Key Vault secrets data-plane emulator on 127.0.0.1 (HTTPS, free port). */
export async function startKeyVaultEmulator(
  options: KeyVaultEmulatorOptions = {},
): Promise<RunningKeyVaultEmulator> {
  const journal = new WriteJournal();
  const clock = options.now ?? (() => new Date());
  const store = new SecretStore(
    journal,
    () => Math.floor(clock().getTime() / 1000),
    options.recoverableDays ?? 90,
  );
  const injector = new FaultInjector(isWrite);
  let origin = '';
  const server = await startEmulatorServer({
    faults: injector,
    faultEligible: (request) => request.header('authorization') !== undefined,
    handler: keyVaultHandler({
      store,
      tokens: options.tokens ?? [EMULATOR_TOKEN],
      tenantId: options.tenantId ?? '00000000-0000-0000-0000-000000000000',
      origin: () => origin,
    }),
  });
  origin = server.url;
  const vaultName = (options.vaultName ?? 'emulator').toLowerCase();

  const control: KeyVaultControl = {
    seedSecret(name, value, seed = {}) {
      const outcome = store.set(
        name,
        {
          value,
          contentType: seed.contentType,
          tags: seed.tags,
          enabled: seed.enabled,
          notBefore: seed.notBefore && Math.floor(seed.notBefore.getTime() / 1000),
          expires: seed.expiresOn && Math.floor(seed.expiresOn.getTime() / 1000),
        },
        'control',
      );
      if (outcome.kind !== 'set') {
        throw new Error(`cannot seed ${name}: it is soft-deleted or being recovered`);
      }
      return { version: outcome.version.version, id: `${origin}/secrets/${name}/${outcome.version.version}` };
    },
    secret(name) {
      const secret = store.peek(name);
      return secret && snapshot(secret);
    },
    deletedSecret(name) {
      const entry = store.peekDeleted(name);
      return (
        entry && {
          ...snapshot(entry.secret),
          deletedOn: new Date(entry.deletedDate * 1000),
          scheduledPurgeDate: new Date(entry.scheduledPurgeDate * 1000),
        }
      );
    },
    writes: (name) => journal.clientWrites(name === undefined ? undefined : `secrets/${name}`),
    requests: () => [...server.requests],
    setReplicationLag: (lag) => {
      store.setReplicationLag(lag);
    },
    faults: new KeyVaultFaults(injector, store),
    referenceResolver: () => (reference) => {
      const sameVault = reference.vaultUri === origin || reference.vaultName.toLowerCase() === vaultName;
      if (!sameVault) {
        return { status: 'VaultNotFound', details: `vault ${reference.vaultName} is not this emulator` };
      }
      const secret = store.peek(reference.secretName);
      if (!secret) {
        return { status: 'SecretNotFound' };
      }
      const version =
        reference.secretVersion === undefined
          ? latest(secret)
          : secret.versions.find((candidate) => candidate.version === reference.secretVersion);
      if (!version) {
        return { status: 'SecretVersionNotFound' };
      }
      if (!version.enabled) {
        return { status: 'OtherReasons', details: 'Operation get is not allowed on a disabled secret.' };
      }
      return { status: 'Resolved', version: version.version, value: version.value };
    },
  };

  const credential = staticTokenCredential(options.tokens?.[0] ?? EMULATOR_TOKEN);
  return {
    url: server.url,
    ca: server.ca,
    credential,
    clientOptions: keyVaultClientOptions(server.ca),
    control,
    stop: () => server.stop(),
  };
}

/**
 * SecretClient options for an emulator: trust its certificate, skip the check that the challenge's
 * resource (vault.azure.net) matches the vault host (127.0.0.1), and shorten retry delays (not the
 * number of retries) so fault tests stay fast.
 */
export function keyVaultClientOptions(ca: string, overrides: SecretClientOptions = {}): SecretClientOptions {
  return {
    disableChallengeResourceVerification: true,
    retryOptions: { retryDelayInMs: 5, maxRetryDelayInMs: 20 },
    ...overrides,
    tlsOptions: { ca, ...overrides.tlsOptions },
  };
}

/** A `SecretClient` wired to the emulator with the static credential. */
export function createSecretClient(
  emulator: Pick<RunningKeyVaultEmulator, 'url' | 'ca' | 'credential'>,
  overrides: SecretClientOptions = {},
): SecretClient {
  return new SecretClient(emulator.url, emulator.credential, keyVaultClientOptions(emulator.ca, overrides));
}

function isWrite(request: EmulatorRequest): boolean {
  return request.method !== 'GET' && request.method !== 'HEAD';
}

function snapshot(secret: SecretState): SecretSnapshot {
  return {
    name: secret.name,
    versions: secret.versions.map((version) => ({
      version: version.version,
      value: version.value,
      enabled: version.enabled,
      createdOn: new Date(version.created * 1000),
      updatedOn: new Date(version.updated * 1000),
      contentType: version.contentType,
      tags: version.tags && { ...version.tags },
      notBefore: version.notBefore === undefined ? undefined : new Date(version.notBefore * 1000),
      expiresOn: version.expires === undefined ? undefined : new Date(version.expires * 1000),
    })),
  };
}

import type { Reply } from '../shared/http';
import { type DeletedSecretState, latest, type SecretState, type SecretVersionState } from './store';

/** What the wire shapes need to know about the vault. */
export interface Vault {
  /** The vault URL that ids are built on. */
  readonly origin: string;
  readonly recoverableDays: number;
}

/** A SecretBundle (set, get, update, recover); update and recover answers carry no value. */
export function bundle(
  vault: Vault,
  secret: SecretState,
  version: SecretVersionState,
  withValue: boolean,
): object {
  return {
    ...(withValue ? { value: version.value } : {}),
    ...(version.contentType === undefined ? {} : { contentType: version.contentType }),
    id: `${vault.origin}/secrets/${secret.name}/${version.version}`,
    attributes: attributes(vault, version),
    ...(version.tags === undefined ? {} : { tags: version.tags }),
  };
}

export function deletedBundle(vault: Vault, entry: DeletedSecretState): object {
  return {
    recoveryId: recoveryId(vault, entry.secret),
    deletedDate: entry.deletedDate,
    scheduledPurgeDate: entry.scheduledPurgeDate,
    ...bundle(vault, entry.secret, latest(entry.secret), false),
  };
}

/** A list item: no value; the id carries the version only when listing versions. */
export function item(
  vault: Vault,
  secret: SecretState,
  version: SecretVersionState,
  withVersion: boolean,
): object {
  return {
    ...(version.contentType === undefined ? {} : { contentType: version.contentType }),
    id: `${vault.origin}/secrets/${secret.name}${withVersion ? `/${version.version}` : ''}`,
    attributes: attributes(vault, version),
    ...(version.tags === undefined ? {} : { tags: version.tags }),
  };
}

export function attributes(vault: Vault, version: SecretVersionState): object {
  const days = vault.recoverableDays;
  return {
    enabled: version.enabled,
    ...(version.notBefore === undefined ? {} : { nbf: version.notBefore }),
    ...(version.expires === undefined ? {} : { exp: version.expires }),
    created: version.created,
    updated: version.updated,
    recoveryLevel: days === 90 ? 'Recoverable+Purgeable' : 'CustomizedRecoverable+Purgeable',
    recoverableDays: days,
  };
}

export function recoveryId(vault: Vault, secret: SecretState): string {
  return `${vault.origin}/deletedsecrets/${secret.name}`;
}

export function notFound(nameOrId: string): Reply {
  return error(
    404,
    'SecretNotFound',
    `A secret with (name/id) ${nameOrId} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
  );
}

/** The Key Vault error shape: `{ error: { code, message, innererror? } }`. */
export function error(status: number, code: string, message: string, innerCode?: string): Reply {
  return {
    status,
    body: {
      error: { code, message, ...(innerCode === undefined ? {} : { innererror: { code: innerCode } }) },
    },
  };
}

/** The 401 that starts the SDK's challenge flow. */
export function challenge(tenantId: string, message: string): Reply {
  return {
    status: 401,
    headers: {
      'WWW-Authenticate': `Bearer authorization="https://login.windows.net/${tenantId}", resource="https://vault.azure.net"`,
    },
    body: { error: { code: 'Unauthorized', message } },
  };
}

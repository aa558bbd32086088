import { randomUUID } from 'node:crypto';

import type { WriteJournal, WriteRecord } from '../shared/journal';

/** One version of a secret. Times are Unix seconds, as on the wire. */
export interface SecretVersionState {
  readonly version: string;
  readonly value: string;
  contentType?: string;
  tags?: Record<string, string>;
  enabled: boolean;
  notBefore?: number;
  expires?: number;
  readonly created: number;
  updated: number;
}

export interface SecretState {
  /** The name as first created (Key Vault names are case-insensitive). */
  readonly name: string;
  /** In creation order; the last one is the latest. */
  readonly versions: SecretVersionState[];
}

export interface DeletedSecretState {
  readonly secret: SecretState;
  readonly deletedDate: number;
  readonly scheduledPurgeDate: number;
}

export interface SetSecretInput {
  readonly value: string;
  readonly contentType?: string;
  readonly tags?: Record<string, string>;
  readonly enabled?: boolean;
  readonly notBefore?: number;
  readonly expires?: number;
}

export interface UpdateSecretInput {
  readonly contentType?: string;
  readonly tags?: Record<string, string>;
  readonly enabled?: boolean;
  readonly notBefore?: number;
  readonly expires?: number;
}

export type SetOutcome =
  | { readonly kind: 'set'; readonly secret: SecretState; readonly version: SecretVersionState }
  | { readonly kind: 'deleted-but-recoverable' }
  | { readonly kind: 'being-recovered' };

/**
 * A vault's secrets: live ones with all their versions, and soft-deleted ones until they are purged.
 *
 * Soft delete is always on (as on every vault since 2025). Optional replication lag reproduces what
 * the recordings show: right after a delete the deleted secret is not yet readable, and right after a
 * recover the live secret is not yet readable; the SDK's pollers exist for exactly this.
 */
export class SecretStore {
  private readonly live = new Map<string, SecretState>();
  private readonly deleted = new Map<string, DeletedSecretState>();
  /** Reads of a just-deleted secret that still answer "not found", per lower-case name. */
  private readonly deleteLag = new Map<string, number>();
  /** Reads of a just-recovered secret that still answer "not found", per lower-case name. */
  private readonly recoverLag = new Map<string, number>();
  private lag = { afterDelete: 0, afterRecover: 0 };

  constructor(
    private readonly journal: WriteJournal,
    private readonly now: () => number,
    readonly recoverableDays: number,
    private readonly newVersionId: () => string = () => randomUUID().replaceAll('-', ''),
  ) {}

  setReplicationLag(lag: { afterDelete?: number; afterRecover?: number }): void {
    this.lag = { afterDelete: lag.afterDelete ?? 0, afterRecover: lag.afterRecover ?? 0 };
  }

  set(name: string, input: SetSecretInput, by: WriteRecord['by']): SetOutcome {
    const id = name.toLowerCase();
    if (this.deleted.has(id)) {
      return { kind: 'deleted-but-recoverable' };
    }
    if ((this.recoverLag.get(id) ?? 0) > 0) {
      return { kind: 'being-recovered' };
    }
    const now = this.now();
    const secret = this.live.get(id) ?? { name, versions: [] };
    const version: SecretVersionState = {
      version: this.newVersionId(),
      value: input.value,
      enabled: input.enabled ?? true,
      created: now,
      updated: now,
      contentType: input.contentType,
      tags: input.tags,
      notBefore: input.notBefore,
      expires: input.expires,
    };
    secret.versions.push(version);
    this.live.set(id, secret);
    this.journal.record(`secrets/${secret.name}`, 'set', by);
    return { kind: 'set', secret, version };
  }

  /** The live secret, honouring recovery lag (each call counts as one read). */
  read(name: string): SecretState | undefined {
    const id = name.toLowerCase();
    const pending = this.recoverLag.get(id) ?? 0;
    if (pending > 0) {
      this.recoverLag.set(id, pending - 1);
      return undefined;
    }
    return this.live.get(id);
  }

  /** The live secret without counting a read (for listings and the control API). */
  peek(name: string): SecretState | undefined {
    return this.live.get(name.toLowerCase());
  }

  update(secret: SecretState, version: SecretVersionState, input: UpdateSecretInput): void {
    if (input.enabled !== undefined) version.enabled = input.enabled;
    if (input.notBefore !== undefined) version.notBefore = input.notBefore;
    if (input.expires !== undefined) version.expires = input.expires;
    if (input.contentType !== undefined) version.contentType = input.contentType;
    if (input.tags !== undefined) version.tags = input.tags;
    version.updated = this.now();
    this.journal.record(`secrets/${secret.name}`, 'update', 'client');
  }

  delete(name: string): DeletedSecretState | undefined {
    const id = name.toLowerCase();
    const secret = this.live.get(id);
    if (!secret) {
      return undefined;
    }
    const deletedDate = this.now();
    const entry: DeletedSecretState = {
      secret,
      deletedDate,
      scheduledPurgeDate: deletedDate + this.recoverableDays * 86_400,
    };
    this.live.delete(id);
    this.deleted.set(id, entry);
    this.recoverLag.delete(id);
    if (this.lag.afterDelete > 0) {
      this.deleteLag.set(id, this.lag.afterDelete);
    }
    this.journal.record(`secrets/${secret.name}`, 'delete', 'client');
    return entry;
  }

  /** The deleted secret, honouring delete lag (each call counts as one read). */
  readDeleted(name: string): DeletedSecretState | undefined {
    const id = name.toLowerCase();
    const pending = this.deleteLag.get(id) ?? 0;
    if (pending > 0) {
      this.deleteLag.set(id, pending - 1);
      return undefined;
    }
    return this.deleted.get(id);
  }

  peekDeleted(name: string): DeletedSecretState | undefined {
    return this.deleted.get(name.toLowerCase());
  }

  recover(name: string): SecretState | undefined {
    const id = name.toLowerCase();
    const entry = this.deleted.get(id);
    if (!entry || (this.deleteLag.get(id) ?? 0) > 0) {
      return undefined;
    }
    this.deleted.delete(id);
    this.live.set(id, entry.secret);
    if (this.lag.afterRecover > 0) {
      this.recoverLag.set(id, this.lag.afterRecover);
    }
    this.journal.record(`secrets/${entry.secret.name}`, 'recover', 'client');
    return entry.secret;
  }

  purge(name: string): boolean {
    const id = name.toLowerCase();
    const entry = this.deleted.get(id);
    if (!entry || (this.deleteLag.get(id) ?? 0) > 0) {
      return false;
    }
    this.deleted.delete(id);
    this.journal.record(`secrets/${entry.secret.name}`, 'purge', 'client');
    return true;
  }

  /** Live secrets sorted by name, case-insensitively, as the service lists them. */
  listLive(): SecretState[] {
    return [...this.live.values()].sort((a, b) => compareNames(a.name, b.name));
  }

  listDeleted(): DeletedSecretState[] {
    return [...this.deleted.values()].sort((a, b) => compareNames(a.secret.name, b.secret.name));
  }
}

export function latest(secret: SecretState): SecretVersionState {
  const version = secret.versions.at(-1);
  if (!version) {
    throw new Error(`secret ${secret.name} has no versions`);
  }
  return version;
}

/** Versions ordered by version id, which is how the service pages them (not by creation time). */
export function versionsInListOrder(secret: SecretState): SecretVersionState[] {
  return [...secret.versions].sort((a, b) => (a.version < b.version ? -1 : a.version > b.version ? 1 : 0));
}

function compareNames(a: string, b: string): number {
  const left = a.toLowerCase();
  const right = b.toLowerCase();
  return left < right ? -1 : left > right ? 1 : 0;
}

import { randomBytes } from 'node:crypto';

import type { WriteJournal, WriteRecord } from '../shared/journal';

/** One key-value. A null label is the "no label" label. */
export interface KeyValueState {
  readonly key: string;
  readonly label: string | null;
  value: string | null;
  contentType: string | null;
  tags: Record<string, string>;
  locked: boolean;
  lastModified: Date;
  etag: string;
}

export interface KeyValueInput {
  readonly value: string | null;
  readonly contentType: string | null;
  readonly tags: Record<string, string>;
}

/** The journal's resource name for a key-value: `kv/<key>` plus `?label=<label>` when it has one. */
export function resourceName(key: string, label: string | null): string {
  return label === null ? `kv/${key}` : `kv/${key}?label=${label}`;
}

/** A configuration store's key-values, with ETags, locks and a sync-token sequence. */
export class KeyValueStore {
  private readonly items = new Map<string, KeyValueState>();
  private sequence = 1;
  private readonly syncId = randomBytes(6).toString('base64url');

  constructor(
    private readonly journal: WriteJournal,
    private readonly now: () => Date,
  ) {}

  get(key: string, label: string | null): KeyValueState | undefined {
    return this.items.get(id(key, label));
  }

  /** Replaces the key-value (every PUT is a new revision with a new ETag, even with equal content). */
  put(key: string, label: string | null, input: KeyValueInput, by: WriteRecord['by']): KeyValueState {
    const previous = this.get(key, label);
    const next: KeyValueState = {
      key,
      label,
      value: input.value,
      contentType: input.contentType,
      tags: { ...input.tags },
      locked: previous?.locked ?? false,
      lastModified: this.now(),
      etag: newEtag(),
    };
    this.items.set(id(key, label), next);
    this.changed(resourceName(key, label), 'put', by);
    return next;
  }

  delete(key: string, label: string | null, by: WriteRecord['by']): KeyValueState | undefined {
    const existing = this.get(key, label);
    if (existing) {
      this.items.delete(id(key, label));
      this.changed(resourceName(key, label), 'delete', by);
    }
    return existing;
  }

  /** Locks or unlocks; a no-op when the state is already as asked (same ETag, no write). */
  setLocked(existing: KeyValueState, locked: boolean, by: WriteRecord['by']): KeyValueState {
    if (existing.locked === locked) {
      return existing;
    }
    existing.locked = locked;
    existing.lastModified = this.now();
    existing.etag = newEtag();
    this.changed(resourceName(existing.key, existing.label), locked ? 'lock' : 'unlock', by);
    return existing;
  }

  /** Every key-value, ordered by key then label (no label first). */
  all(): KeyValueState[] {
    return [...this.items.values()].sort((a, b) =>
      a.key === b.key ? compare(a.label ?? '', b.label ?? '') : compare(a.key, b.key),
    );
  }

  /** The `Sync-Token` header value for the current sequence number. */
  syncToken(): string {
    const value = Buffer.from(`1:1#${this.sequence}`).toString('base64');
    return `${this.syncId}=${value};sn=${this.sequence}`;
  }

  private changed(resource: string, operation: string, by: WriteRecord['by']): void {
    this.sequence += 1;
    this.journal.record(resource, operation, by);
  }
}

function id(key: string, label: string | null): string {
  return JSON.stringify([key, label]);
}

function newEtag(): string {
  return randomBytes(32).toString('base64url');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

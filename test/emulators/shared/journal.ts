/** One accepted state change. */
export interface WriteRecord {
  /** The resource it changed, in each emulator's own naming (documented on its control API). */
  readonly resource: string;
  readonly operation: string;
  /** `client` for requests over HTTP; `control` for seeding and injected concurrent changes. */
  readonly by: 'client' | 'control';
}

/**
 * Every state change an emulator accepted, so tests can prove "zero service writes" or count them
 * per resource. Rejected requests (4xx, faults that answer instead) are not writes.
 */
export class WriteJournal {
  private readonly records: WriteRecord[] = [];

  record(resource: string, operation: string, by: WriteRecord['by']): void {
    this.records.push({ resource, operation, by });
  }

  /**
   * Writes made by clients: all of them, those whose resource equals `resource` (case-insensitive),
   * or those a predicate selects.
   */
  clientWrites(resource?: string | ((resource: string) => boolean)): WriteRecord[] {
    const selected =
      resource === undefined
        ? () => true
        : typeof resource === 'string'
          ? (candidate: string) => candidate.toLowerCase() === resource.toLowerCase()
          : resource;
    return this.records.filter((record) => record.by === 'client' && selected(record.resource));
  }

  all(): readonly WriteRecord[] {
    return [...this.records];
  }
}

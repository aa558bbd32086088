import type {
  EpisodeCommit,
  InboxMessage,
  InstanceMeta,
  PendingActivity,
  PendingTimer,
  TaskHubStore,
} from '../../src/local/durable/store';
import type { AuditLog } from '../../src/storage/audit-store';

/** What the host and the workflow see once the simulated process has died. */
export class ProcessCrashed extends Error {
  constructor() {
    super('simulated process crash');
    this.name = 'ProcessCrashed';
  }
}

/**
 * Models a process that dies at its N-th durable write: that write and everything after it never
 * happen. Both the task hub and the audit log consult the same switch, so the crash can land
 * between any two writes of the whole run, including in the middle of an activity.
 */
export class CrashSwitch {
  #remaining = Number.POSITIVE_INFINITY;
  #tripped = false;
  /** Writes seen since the switch was armed. */
  writes = 0;

  /** Crashes at the `at`-th write from now (counting from 1); Infinity only counts writes. */
  arm(at: number): void {
    this.#remaining = at;
    this.writes = 0;
  }

  get tripped(): boolean {
    return this.#tripped;
  }

  beforeWrite(): void {
    this.assertAlive();
    this.writes++;
    if (--this.#remaining <= 0) {
      this.#tripped = true;
      throw new ProcessCrashed();
    }
  }

  assertAlive(): void {
    if (this.#tripped) throw new ProcessCrashed();
  }
}

export function crashingTaskHub(inner: TaskHubStore, crash: CrashSwitch): TaskHubStore {
  const write = async <T>(work: () => Promise<T>): Promise<T> => {
    crash.beforeWrite();
    return work();
  };
  const read = async <T>(work: () => Promise<T>): Promise<T> => {
    crash.assertAlive();
    return work();
  };
  return {
    createInstance: (meta: InstanceMeta, start: InboxMessage) =>
      write(() => inner.createInstance(meta, start)),
    loadInstance: (id: string) => read(() => inner.loadInstance(id)),
    getMeta: (id: string) => read(() => inner.getMeta(id)),
    listMeta: () => read(() => inner.listMeta()),
    commitEpisode: (id: string, etag: string, commit: EpisodeCommit) =>
      write(() => inner.commitEpisode(id, etag, commit)),
    completeActivity: (a: PendingActivity, m: InboxMessage) => write(() => inner.completeActivity(a, m)),
    fireTimer: (t: PendingTimer, m: InboxMessage) => write(() => inner.fireTimer(t, m)),
    appendInbox: (id: string, executionId: string, m: InboxMessage) =>
      write(() => inner.appendInbox(id, executionId, m)),
    listPendingActivities: (id?: string) => read(() => inner.listPendingActivities(id)),
    listPendingTimers: (id?: string) => read(() => inner.listPendingTimers(id)),
    listInstancesWithInbox: () => read(() => inner.listInstancesWithInbox()),
    purge: (id: string) => write(() => inner.purge(id)),
  };
}

export function crashingAudit(inner: AuditLog, crash: CrashSwitch): AuditLog {
  return {
    append: async (entries) => {
      crash.beforeWrite();
      return inner.append(entries);
    },
    head: () => inner.head(),
    list: (fromSeq) => inner.list(fromSeq),
    verify: (options) => inner.verify(options),
  };
}
